// Issue #8, fuzzing: random 64-bit atoms (flags, numbers, pointers inside / at the edges of /
// outside engine memory) run through two narrowed engines, inline, on cachemiss threads and
// through the ring. The driver runs in a child process (stdin /dev/null, so no fuzz value can
// block on or write to the runner's pipes), so a crash is reported with its seed and the last
// checkpoint instead of taking the test runner down. Size: a fixed number of inputs
// (SYSLET_FUZZ_ITERATIONS, default 4000), so what the test asserts never depends on the machine's
// speed; SYSLET_FUZZ_SECONDS runs for that long instead (the long runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FuzzReport } from './fuzz/atoms.js';
import { FUZZ_SEEDS } from './fuzz/corpus.js';
import { lastCheckpoint, withoutCheckpoints } from './fuzz/checkpoint.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const iterations = seconds === null ? Number(process.env.SYSLET_FUZZ_ITERATIONS ?? 4000) : null;
/** The driver's size arguments: a fixed input count with no time limit, or a time budget. */
const budget = iterations !== null ? ['--iterations', String(iterations), '--seconds', '100000'] : ['--seconds', String(seconds)];
const seed = fuzzSeed(20261204);
const driver = join(import.meta.dirname, 'fuzz', 'atoms.ts');

function runDriver(args: readonly string[], timeoutMs: number): { report: FuzzReport | null; status: number | null; signal: string | null; stderr: string } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fuzz-out-'));
  const out = join(dir, 'report.json');
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', driver, ...args, '--out', out], {
      stdio: ['ignore', 'ignore', 'pipe'],
      timeout: timeoutMs,
      encoding: 'utf8',
    });
    let report: FuzzReport | null = null;
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as FuzzReport;
    } catch {
      report = null;
    }
    return { report, status: child.status, signal: child.signal, stderr: child.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

test(`random atom chains never crash, never write outside engine memory, always answer an errno (seed ${seed}, ${iterations ?? `${seconds} s`})`, (t) => {
  // The child's time limit only catches a hang.
  const { report, status, signal, stderr } = runDriver(['--seed', String(seed), ...budget], ((seconds ?? 0) + 600) * 1000);
  const from = lastCheckpoint(stderr) ?? 0;
  assert.ok(report !== null, `fuzz driver died (status ${status}, signal ${signal}); replay: node --import tsx test/fuzz/atoms.ts --seed ${seed} --from ${from} --iterations 256 </dev/null\n${withoutCheckpoints(stderr).slice(-2000)}`);
  t.diagnostic(
    `inputs tried: ${report.iterations} chains (${report.atomsLaidOut} atoms laid out, ${report.atomsExecuted} executed; phase A ${report.phaseA}, phase B ${report.phaseB}, oracle ${report.oracle}); ` +
      `inline ${report.chains.inline}, cachemiss ${report.chains.cachemiss}, via ring ${report.chains.viaRing} (${report.chains.ringPosts} posts); ` +
      `stops ${JSON.stringify(report.stops)}; errnos ${JSON.stringify(report.errnos)}; denies ${JSON.stringify(report.denies)}; ${report.elapsedMs} ms`,
  );
  assert.deepEqual(report.violations, []);
  assert.deepEqual(report.foreignFdHits, [], 'a fuzz value could have named one of the runner\'s fds: the run was not safe');
  assert.equal(report.chains.refused, 0);
  if (iterations !== null) assert.equal(report.iterations, iterations);
  // The fuzz reached every kind of outcome it is meant to reach.
  for (const errno of ['1', '14', '22', '38']) assert.ok((report.errnos[errno] ?? 0) > 0, `never saw errno ${errno}`);
  assert.ok(report.chains.cachemiss > 0 && report.chains.inline > 0 && report.chains.ringPosts > 0);
  assert.ok(report.denies.hard > 0 && report.denies.narrowed > 0);
  assert.ok(report.results.nonNegative > 0, 'no call ever succeeded: phase B is not reaching the kernel');
});

test('a fixed seed replays the same inputs (fuzz reproducibility)', () => {
  // No time limit (a limit would make the count depend on the machine): the child's only catches a hang.
  const a = runDriver(['--seed', '12345', '--iterations', '600', '--seconds', '100000'], 600_000).report;
  const b = runDriver(['--seed', '12345', '--iterations', '600', '--seconds', '100000'], 600_000).report;
  assert.ok(a !== null && b !== null);
  assert.equal(a.iterations, 600);
  assert.equal(a.atomsLaidOut, b.atomsLaidOut);
  assert.equal(a.phaseA, b.phaseA);
  assert.equal(a.oracle, b.oracle);
  assert.deepEqual(a.violations, []);
});

test('the fuzz corpus replays without violations', () => {
  for (const entry of FUZZ_SEEDS) {
    const { report, signal } = runDriver(['--seed', String(entry.seed), '--from', String(entry.from), '--iterations', String(entry.iterations), '--seconds', '100000'], 600_000);
    assert.ok(report !== null, `seed ${entry.seed} from ${entry.from} died (${signal}): ${entry.note}`);
    assert.equal(report.iterations, entry.iterations);
    assert.deepEqual(report.violations, [], entry.note);
  }
});
