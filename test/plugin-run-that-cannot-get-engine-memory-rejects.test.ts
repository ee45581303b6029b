/**
 * plugin.run returns a Promise, and every failure of a run is that Promise's rejection (docs/plugins.md,
 * Running plugins): a caller that writes `plugin.run(...).catch(...)` or `Promise.allSettled` must
 * never see a synchronous throw. Found by the plugins fuzz (a 45 s run, seed 2026120621, killed by
 * an uncaught RangeError): when the engine cannot give a plugin's first slab — its 4,096 memory
 * regions are taken ("too many memory regions (at most 4096)"), or its segment table is full ("too
 * many distinct segment splits", engine/segments.ts:83, after some hundreds of plugins with
 * different layouts) — Plugin.run throws the RangeError synchronously from acquiring an instance
 * (plugins/plugin.ts), before any Promise exists.
 *
 * Fixed in session 20: Plugin.run acquires inside a try and rejects with what acquiring threw.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, definePlugin, type Plugin } from '../index.js';

test('a run that cannot get engine memory for its plugin rejects, never throws', { timeout: 120_000 }, async () => {
  const engine = new Engine();
  const plugins: Plugin[] = [];
  try {
    let outcome: 'rejected' | 'threw' | null = null;
    for (let i = 0; i < 5000 && outcome === null; i++) {
      const plugin = definePlugin({ name: `test.region${i}`, params: {}, scratch: { s: 8 + (i % 64) }, atoms: [{ call: 'getpid', args: [] }] });
      plugins.push(plugin);
      let running: Promise<unknown>;
      try {
        running = plugin.run(engine, {});
      } catch {
        outcome = 'threw';
        break;
      }
      await running.catch(() => {
        outcome = 'rejected';
      });
    }
    assert.equal(outcome, 'rejected', 'the run that found no memory region settled as a rejection');
  } finally {
    await engine.close();
  }
});
