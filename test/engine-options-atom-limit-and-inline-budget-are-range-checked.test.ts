// `new Engine({ maxAtomsPerChain, inlineBudget })` refuses values that are not positive integers
// with a RangeError, as it refuses a bad `threads`, `minThreads` or `idleTimeMs` (hunt26).
// Before: engine/engine-options.ts resolveEngineOptions copied both unchecked, and the executor
// compares atom counts against them: `maxAtomsPerChain: NaN` (what `Number(process.env.X)` gives
// when X is unset) removed the engine's only bound on a loop — a chain whose `next` points back at
// itself ran for ever (killed at 20 s; the documented answer is stop `limit` after 1,048,576 atoms);
// `inlineBudget: NaN` ran a whole 1,048,576-atom loop inline, holding the event loop (693 ms);
// 1.5, -5 and the string '10' were taken too.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';

const BAD: unknown[] = [Number.NaN, 1.5, -5, '10'];

for (const option of ['maxAtomsPerChain', 'inlineBudget'] as const) {
  test(`Engine refuses ${option} that is not a positive integer`, async () => {
    for (const value of BAD) {
      let engine: Engine | null = null;
      try {
        assert.throws(() => {
          engine = new Engine({ [option]: value as number });
        }, RangeError, `${option}: ${String(value)} was accepted`);
      } finally {
        await (engine as Engine | null)?.close();
      }
    }
  });
}

test('Engine takes a positive integer maxAtomsPerChain and inlineBudget (control)', async () => {
  const engine = new Engine({ maxAtomsPerChain: 10, inlineBudget: 4 });
  await engine.close();
});
