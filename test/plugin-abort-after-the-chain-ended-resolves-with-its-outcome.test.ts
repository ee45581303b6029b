/**
 * docs/plugins.md (Stopping a run): an aborted run "rejects with an AbortError ... whose result is
 * the outcome above: stop: 'cancelled'". Found by the plugins fuzz (test/fuzz/plugins.ts --known,
 * seed 9, cases 8, 11, 17, 21, 23, 33): when the abort comes while the chain is on a cachemiss
 * thread but the chain ends on its own before it sees the cancel, the run still rejects with an
 * AbortError, and its `result.stop` is 'end', 'flag' or 'limit': the caller is told the run was
 * aborted although every atom ran and the chain ended as it would have. Either the run resolves
 * with that outcome (the abort came too late, as fs.promises does for a finished operation), or
 * the docs say that an AbortError's result may hold any stop.
 *
 * Fixed in session 20: PluginInstance.#finish rejects only when the chain stopped as cancelled
 * (it rejected whenever #aborted was set, whatever the stop); docs/plugins.md says so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin, type PluginRunResult } from '../index.js';

const reader = definePlugin({
  name: 'test.abortLate',
  params: { fd: 'fd' },
  scratch: { s: 64 },
  atoms: [
    { call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, 8, 0] },
    { call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, 8, 8] },
  ],
});

test('an AbortError\'s result always says cancelled (a chain that ended first resolves)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-abort-late-'));
  writeFileSync(join(dir, 'f'), 'x'.repeat(100));
  const fd = openSync(join(dir, 'f'), 'r');
  // inlineBudget 1: the second atom always runs on a cachemiss thread, so the abort finds the chain in flight.
  const engine = new Engine({ inlineBudget: 1 });
  const stops: string[] = [];
  try {
    for (let i = 0; i < 200; i++) {
      const controller = new AbortController();
      const running = reader.run(engine, { fd }, { signal: controller.signal });
      controller.abort();
      try {
        await running;
      } catch (error) {
        const result = (error as { result?: PluginRunResult }).result;
        if (result !== undefined && result.stop !== 'cancelled') stops.push(result.stop);
      }
    }
    assert.deepEqual(stops, [], 'AbortErrors whose result did not stop for the abort');
  } finally {
    closeSync(fd);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
