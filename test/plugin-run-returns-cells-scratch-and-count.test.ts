/**
 * run() returns what the chain left behind, not only per-atom results: every local cell's final
 * value, a copy of every scratch area, the number of atoms executed (a loop's atoms counted each
 * time), the outcomes by id, and where the chain stopped (`last`, `lastId`, `stop`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { definePlugin, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE } from '../plugins/index.js';

// Count `times` down to -1 (each pass also adds 3 to `sum`), then stamp the clock into scratch.
const loop = definePlugin({
  name: 'test.loop',
  params: { times: 'uint' },
  cells: { left: { param: 'times' }, sum: 0 },
  scratch: { now: 16 },
  atoms: [
    { id: 'count', call: 'umem_add', args: [{ ref: 'left' }, -1], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 'add' },
    { id: 'clock', call: 'clock_gettime', args: [1, { scratch: 'now' }], next: null },
    { id: 'add', call: 'umem_add', args: [{ ref: 'sum' }, 3], next: 'count' },
  ],
});

test('cells, scratch, atoms executed and where the chain stopped', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const result = await loop.run(engine, { times: 4 });
  assert.deepEqual(result.cells, { left: -1, sum: 12 });
  assert.equal(result.atomsExecuted, 4 * 2 + 2, 'four passes of two atoms, the last count and the clock');
  assert.equal(result.last, 1);
  assert.equal(result.lastId, 'clock');
  assert.equal(result.stop, 'end');
  assert.equal(result.byId.count.result, -1);
  assert.equal(result.byId.add.result, 12);
  assert.equal(result.byId.clock.result, 0);
  assert.equal(result.scratch.now.length, 16);
  const seconds = result.scratch.now.readBigInt64LE(0);
  assert.ok(seconds > 0n, 'clock_gettime wrote the scratch area');
  assert.deepEqual(Object.keys(result.outputs), []);

  const none = await loop.run(engine, { times: 0 });
  assert.deepEqual(none.cells, { left: -1, sum: 0 });
  assert.equal(none.atomsExecuted, 2);
  assert.equal(none.byId.add.executed, false);
});
