/**
 * Pooled instances: 10,000 sequential runs of a plugin reuse the instances of the first slab —
 * no new engine memory after the first request — and each run starts from a clean reset
 * (results "not executed", cells and parameter-started cells at their initial values).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { definePlugin, SYSLET_STOP_ON_ZERO } from '../plugins/index.js';

// A countdown loop: umem_add(-1) from `start` until 0, then getpid. Every run must start from
// the parameter again, or the loop would begin at 0 - 1 and run until the atom limit.
const countdown = definePlugin({
  name: 'test.countdown',
  params: { start: 'uint' },
  cells: { left: { param: 'start' }, steps: 0 },
  atoms: [
    { call: 'umem_add', args: [{ ref: 'steps' }, 1] },
    { call: 'umem_add', args: [{ ref: 'left' }, -1], flags: SYSLET_STOP_ON_ZERO, next: 0 },
  ],
});

test('10,000 runs reuse the first slab and start from a clean instance each time', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const first = await countdown.run(engine, { start: 3 });
  assert.deepEqual(first.atoms.map((atom) => atom.result), [3, 0]);
  const regions = engine.memory.size;
  const stats = countdown.poolStats(engine);
  assert.equal(stats.slabs, 1);
  for (let i = 0; i < 10_000; i++) {
    const start = 1 + (i % 5);
    const outcome = await countdown.run(engine, { start });
    if (outcome.atoms[0]?.result !== start || outcome.mode !== 'inline') assert.fail(`run ${i}: ${JSON.stringify(outcome.atoms)} ${outcome.mode}`);
  }
  assert.deepEqual(countdown.poolStats(engine), stats, 'no new slab');
  assert.equal(engine.memory.size, regions, 'no new engine memory');
});
