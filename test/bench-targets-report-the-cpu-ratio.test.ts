/**
 * A wall-time speed-up target also reports the same ratio on CPU time per operation: on a shared
 * machine the wall ratio moves with the load (a process that sleeps between operations is
 * scheduled sooner than one that never sleeps), the CPU ratio much less.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finish, formatWorkload } from '../bench/report.js';
import type { Row, WorkloadResult } from '../bench/result.js';

function row(name: string, median: number, cpu: number): Row {
  return { name, family: 'syslet', qd: 1, status: 'ok', rounds: [median], median, min: median, max: median, cpu, ratios: {} };
}

test('a speed-up target prints its ratio on wall time and on CPU time', () => {
  const w: WorkloadResult = finish({
    id: 'P1',
    title: 'test',
    detail: 'synthetic rows',
    unit: 'ns/op',
    baselines: ['peer'],
    rows: [row('mine', 2000, 3000), row('peer', 4000, 1500)],
    targets: [
      { text: 'mine ≥1.0x peer', subject: 'mine', kind: 'speedup', baseline: 'peer', want: 1 },
      { text: 'mine CPU ≤ peer', subject: 'mine', kind: 'speedup', metric: 'cpu', baseline: 'peer', want: 1 },
    ],
    seconds: 0,
  });
  const [wall, cpu] = w.targets;
  assert.equal(wall?.status, 'met');
  assert.equal(wall?.got, 2);
  assert.equal(wall?.cpuGot, 0.5);
  assert.equal(cpu?.status, 'missed');
  assert.equal(cpu?.got, 0.5);
  assert.equal(cpu?.cpuGot, undefined, 'a CPU target has one ratio');
  assert.match(formatWorkload(w), /target met {4}mine ≥1\.0x peer \(got 2\.00x; on CPU time 0\.50x\)/);
});
