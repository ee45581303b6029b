/**
 * The benchmark's verdicts say when a speed-up target asks for a figure below the one-thread
 * floor (the synchronous loop through the same FFI): such a miss is about the machine, not about
 * this library's overhead, and the report must say so instead of printing a bare MISS.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { finish, formatWorkload } from '../bench/report.js';
import type { Row, WorkloadResult } from '../bench/result.js';

function row(name: string, median: number): Row {
  return { name, family: 'syslet', qd: 1, status: 'ok', rounds: [median], median, min: median, max: median, ratios: {} };
}

function workload(subject: number, baseline: number, floor: number): WorkloadResult {
  return {
    id: 'P1',
    title: 'test',
    detail: 'synthetic rows',
    unit: 'ns/op',
    baselines: ['peer', 'floor'],
    rows: [row('mine', subject), row('peer', baseline), row('floor', floor)],
    targets: [{ text: 'mine ≥2.5x peer', subject: 'mine', kind: 'speedup', baseline: 'peer', want: 2.5, floor: 'floor' }],
    seconds: 0,
  };
}

test('a speed-up target below the one-thread floor is reported with the figure it needed', () => {
  // 2000 / 2.5 = 800 ns needed, but one thread with no scheduling at all takes 900 ns.
  const w = finish(workload(1900, 2000, 900));
  const target = w.targets[0];
  assert.ok(target);
  assert.equal(target.status, 'missed');
  assert.equal(target.needed, 800);
  assert.match(target.why ?? '', /needs ≤ 800 ns, below the one-thread floor \(floor 900 ns\)/);
  assert.match(formatWorkload(w), /target missed mine ≥2\.5x peer \(got 1\.05x\) — needs ≤ 800 ns, below the one-thread floor/);
});

test('a reachable target gets no floor note, whether it passes or not', () => {
  const missed = finish(workload(1900, 3000, 900)).targets[0];
  assert.equal(missed?.status, 'missed');
  assert.equal(missed?.needed, 1200);
  assert.equal(missed?.why, undefined);
  const passed = finish(workload(1000, 3000, 900)).targets[0];
  assert.equal(passed?.status, 'met');
  assert.equal(passed?.why, undefined);
});
