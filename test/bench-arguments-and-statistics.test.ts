/** The bench's command line and its order statistics (bench/main.ts, bench/stats.ts). */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBenchArgs } from '../bench/main.js';
import { median, percentile } from '../bench/stats.js';

test('bench arguments parse and reject unknown workloads', () => {
  assert.deepEqual(parseBenchArgs(['--quick', '--only', 'p1,P4,p2cold,fs']).only, ['P1', 'P4', 'P2COLD', 'FS']);
  assert.equal(parseBenchArgs(['--rounds', '2']).rounds, 2);
  assert.throws(() => parseBenchArgs(['--only', 'P9']), /unknown workload P9/);
  assert.throws(() => parseBenchArgs(['--rounds', '0']), /positive integer/);
  assert.equal(parseBenchArgs(['--help']).help, true);
  assert.equal(parseBenchArgs([]).help, false);
  assert.throws(() => parseBenchArgs(['--frobnicate']), /Unknown option '--frobnicate'/);
});

test('bench statistics', () => {
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(percentile([1, 2, 3, 4], 50), 2.5);
  assert.equal(percentile([5], 99), 5);
  assert.ok(Number.isNaN(median([])));
});
