// Issue #8, fuzzing the POSIX layer: random Aiocb fields (fds, buffers and raw addresses inside,
// at the edges of and outside engine memory, sizes, offsets, priorities, opcodes, sigevents)
// through aio_read / aio_write / aio_fsync / lio_listio / aio_cancel / aio_suspend / aio_error /
// aio_return. The driver (test/fuzz/aiocb.ts) runs in a child process with stdin on /dev/null,
// so a crash is reported with its seed instead of taking the runner down.
// Size: a fixed number of batches (SYSLET_FUZZ_BATCHES, default 400), so what the test asserts never
// depends on the machine's speed; SYSLET_FUZZ_SECONDS runs for that long instead. Seed: SYSLET_FUZZ_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AiocbFuzzReport } from './fuzz/aiocb.js';
import { lastCheckpoint, withoutCheckpoints } from './fuzz/checkpoint.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const batches = seconds === null ? Number(process.env.SYSLET_FUZZ_BATCHES ?? 400) : null;
/** A fixed batch count with no time limit, or a time budget (long runs). */
const budget = batches !== null ? ['--batches', String(batches), '--seconds', '100000'] : ['--seconds', String(seconds)];
const seed = fuzzSeed(20261204);
const driver = join(import.meta.dirname, 'fuzz', 'aiocb.ts');

function runDriver(args: readonly string[], timeoutMs: number): { report: AiocbFuzzReport | null; status: number | null; signal: string | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aiocb-fuzz-out-'));
  const out = join(dir, 'report.json');
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', driver, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, encoding: 'utf8' });
    let report: AiocbFuzzReport | null = null;
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as AiocbFuzzReport;
    } catch {
      report = null;
    }
    return { report, status: child.status, signal: child.signal, stderr: child.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`random Aiocb fields: no crash, C contracts, every request final and notified exactly once, no write outside its buffer (seed ${seed}, ${batches ?? `${seconds} s`})`, (t) => {
  // The child's time limit only catches a hang.
  const { report, status, signal, stderr } = runDriver(['--seed', String(seed), ...budget], ((seconds ?? 0) + 600) * 1000);
  const last = lastCheckpoint(stderr) ?? 'none';
  assert.ok(report !== null, `the fuzz child died (status ${status}, signal ${signal}); last checkpoint: ${last}\nreplay: node --import tsx test/fuzz/aiocb.ts --seed ${seed} ${budget.join(' ')} </dev/null\n${withoutCheckpoints(stderr).slice(-2000)}`);
  t.diagnostic(`seed ${seed}: ${report.batches} batches, ${report.operations} operations, ${report.accepted} requests accepted, ${report.notificationsSeen}/${report.notificationsExpected} notifications, ${report.listNotificationsSeen}/${report.listNotificationsExpected} list notifications, ${report.canaryChecks} canary checks, ${report.undelivered} undelivered completions (known bug)`);
  t.diagnostic(`final statuses ${JSON.stringify(report.finalStatuses)}; setter rejections ${JSON.stringify(report.setterRejections)}`);
  assert.deepEqual(report.violations, []);
  assert.equal(status, 0);
  assert.ok(report.accepted > 100, 'the fuzz submitted requests');
  assert.equal(report.notificationsSeen, report.notificationsExpected);
  assert.ok((report.finalStatuses.OK ?? 0) > 0 && (report.finalStatuses.EFAULT ?? 0) > 0 && (report.finalStatuses.EBADF ?? 0) > 0, 'good and bad requests both ran');
});

test('the aiocb fuzz is reproducible: a fixed seed and batch count give the same report', () => {
  const a = runDriver(['--seed', '12345', '--seconds', '100000', '--batches', '150'], 600_000).report;
  const b = runDriver(['--seed', '12345', '--seconds', '100000', '--batches', '150'], 600_000).report;
  assert.ok(a !== null && b !== null);
  assert.deepEqual(a.violations, []);
  assert.deepEqual({ ...a.calls }, { ...b.calls });
  assert.equal(a.accepted, b.accepted);
});
