/**
 * A plugin's slabs are engine memory regions (at most 4,096 per engine) and entries in the engine's
 * segment table; plugin.poolStats says "sequential runs stay on one slab". Found by the plugins fuzz
 * (a 45 s run, seed 2026120621, ~1,000 plugins with different layouts on one engine: "too many
 * distinct segment splits"; see also test/plugin-run-that-cannot-get-engine-memory-rejects.test.ts):
 * a plugin the program no longer holds keeps its slab, and its segment split, until engine.close():
 * a long-lived engine that runs plugins defined over time — from JSON, per tenant, composed per
 * request — fails after 4,096 of them with "too many memory regions", each run once and dropped.
 * Expected: a dropped plugin's memory goes back to the engine (as a dropped aiocb's instance does),
 * so that the 4,097th plugin runs.
 *
 * Fixed in session 20 for the regions: a FinalizationRegistry on the plugin frees its slabs on every
 * engine it ran on (plugins/plugin.ts droppedPlugins). Left: the engine's segment table keeps one
 * entry per distinct layout ever run (shared by equal layouts), so hundreds of different layouts
 * still fill it; a run then rejects (test/plugin-run-that-cannot-get-engine-memory-rejects.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as turn } from 'node:timers/promises';
import { Engine, definePlugin } from '../index.js';

test('plugins run once and dropped do not use up the engine\'s memory regions', { timeout: 180_000 }, async () => {
  const engine = new Engine();
  const failures: string[] = [];
  try {
    for (let i = 0; i < 6000 && failures.length === 0; i++) {
      try {
        const outcome = await definePlugin({ name: `test.dropped${i}`, params: {}, scratch: { s: 8 + (i % 64) }, atoms: [{ call: 'getpid', args: [] }] }).run(engine, {});
        assert.equal(outcome.stop, 'end');
      } catch (error) {
        failures.push(`plugin ${i}: ${(error as Error).message}`);
      }
      // Room for the collector and finalizers to run now and then.
      if (i % 500 === 499) await turn();
    }
    assert.deepEqual(failures, []);
  } finally {
    await engine.close();
  }
});
