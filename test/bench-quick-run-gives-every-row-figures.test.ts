/**
 * `npm run bench -- --quick` (here `bench/main.ts --quick --json` from the sources) runs every
 * workload small, in a child process, and every row comes back with figures: wall time and CPU
 * time per operation. It asserts structure, never speed: figures on a shared machine mean
 * nothing, but a row that no longer measures is a regression.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { WorkloadResult } from '../bench/result.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BenchJson {
  mode: string;
  machine: { cpus: number; kernel: string; node: string; root: boolean; uncached: string; loadAverage: number[] };
  workloads: WorkloadResult[];
}

function runQuickBench(): Promise<BenchJson> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      // FS (issue 18's jobs) has its own test; this one is about the rows of bench/main.ts.
      ['--import', 'tsx', 'bench/main.ts', '--quick', '--json', '--only', 'P1,P2,P2COLD,P3,P4,P5,P6'],
      { cwd: root, timeout: 900_000, maxBuffer: 16 << 20 },
      (err, stdout, stderr) => {
        if (err) return reject(new Error(`bench failed: ${err.message}\n${stderr}`));
        try {
          resolve(JSON.parse(stdout) as BenchJson);
        } catch (e) {
          reject(e instanceof Error ? e : new Error(String(e)));
        }
      },
    );
  });
}

test('bench --quick gives every row of every workload a wall and a CPU figure', { timeout: 950_000 }, async () => {
  const out = await runQuickBench();
  assert.equal(out.mode, 'quick');
  assert.ok(out.machine.cpus > 0 && out.machine.kernel && out.machine.node, 'machine report present');
  assert.equal(out.machine.loadAverage.length, 3, 'load average reported');
  assert.deepEqual(
    out.workloads.map((w) => w.id),
    ['P1', 'P2', 'P2COLD', 'P3', 'P4', 'P5', 'P6'],
  );
  for (const w of out.workloads) {
    if (w.skipped !== undefined) {
      // Only the uncached workloads may be skipped, and only when the page cache cannot be dropped.
      assert.match(w.id, /^P2/, `${w.id} skipped: ${w.skipped}`);
      assert.match(out.machine.uncached, /^skipped/);
      continue;
    }
    assert.ok(w.rows.length > 0, `${w.id} has rows`);
    // Both engines of the library: the defaults' and the one forced to threads.
    assert.ok(w.rows.filter((r) => r.family === 'syslet').some((r) => r.name.endsWith('(threads)')), `${w.id} has threads-engine rows`);
    assert.ok(w.rows.filter((r) => r.family === 'syslet').some((r) => !r.name.endsWith('(threads)')), `${w.id} has default-engine rows`);
    for (const t of w.targets) assert.ok(['met', 'missed', 'n/a'].includes(t.status ?? ''), `${w.id} target "${t.text}" judged`);
    for (const row of w.rows) {
      // The io_uring C anchor needs gcc and liburing; without them it says why instead of a figure.
      if (row.family === 'c' && row.status === 'unavailable') continue;
      assert.equal(row.status, 'ok', `${w.id} ${row.name}: ${row.reason ?? ''}`);
      assert.ok(Number.isFinite(row.median), `${w.id} ${row.name} has a figure`);
      assert.ok(Number.isFinite(row.cpu), `${w.id} ${row.name} has a CPU figure`);
    }
  }
});
