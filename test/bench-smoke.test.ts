/**
 * Smoke test of the benchmark (issue #7): `bench/main.ts --quick --json` runs to completion in a
 * child process and reports every workload with rows. It asserts structure, never speed: figures
 * on a shared CI machine mean nothing, but a bench that no longer runs is a regression.
 */
import { execFile } from 'node:child_process';
import assert from 'node:assert/strict';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseBenchArgs } from '../bench/main.js';
import type { WorkloadResult } from '../bench/result.js';
import { median, percentile } from '../bench/stats.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface BenchJson {
  mode: string;
  machine: { cpus: number; kernel: string; node: string; root: boolean; uncached: string };
  workloads: WorkloadResult[];
}

function runQuickBench(): Promise<BenchJson> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'bench/main.ts', '--quick', '--json'],
      { cwd: root, timeout: 240_000, maxBuffer: 16 << 20 },
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

test('bench --quick --json reports every workload with rows', { timeout: 250_000 }, async () => {
  const out = await runQuickBench();
  assert.equal(out.mode, 'quick');
  assert.ok(out.machine.cpus > 0 && out.machine.kernel && out.machine.node, 'machine report present');
  assert.deepEqual(
    out.workloads.map((w) => w.id),
    ['P1', 'P2', 'P3', 'P4', 'P5', 'P6'],
  );
  for (const w of out.workloads) {
    if (w.skipped !== undefined) {
      // Only the uncached workload may be skipped, and only when the page cache cannot be dropped.
      assert.equal(w.id, 'P2', `${w.id} skipped: ${w.skipped}`);
      assert.match(out.machine.uncached, /^skipped/);
      continue;
    }
    assert.ok(w.rows.length > 0, `${w.id} has rows`);
    assert.ok(w.targets.length > 0, `${w.id} has targets`);
    for (const t of w.targets) assert.ok(['PASS', 'MISS', 'n/a'].includes(t.status ?? ''), `${w.id} target "${t.text}" judged`);
    for (const row of w.rows) {
      assert.ok(['ok', 'unavailable', 'error'].includes(row.status), `${w.id} ${row.name} status`);
      if (row.status === 'ok') assert.ok(Number.isFinite(row.median), `${w.id} ${row.name} has a median`);
      else assert.equal(row.median, undefined, `${w.id} ${row.name}: no figure without a measurement`);
      // The peers are the measuring stick: they must run. (The library's rows may be unavailable.)
      if (row.family !== 'syslet') assert.notEqual(row.status, 'error', `${w.id} ${row.name}: ${row.reason ?? ''}`);
    }
  }
});

test('bench arguments parse and reject unknown workloads', () => {
  assert.deepEqual(parseBenchArgs(['--quick', '--only', 'p1,P4']).only, ['P1', 'P4']);
  assert.equal(parseBenchArgs(['--rounds', '2']).rounds, 2);
  assert.throws(() => parseBenchArgs(['--only', 'P9']), /unknown workload P9/);
  assert.throws(() => parseBenchArgs(['--rounds', '0']), /positive integer/);
});

test('bench statistics', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([5], 99), 5);
  assert.ok(Number.isNaN(median([])));
});
