/**
 * A cancelled run's `last`/`lastId` say where the chain stopped: the last atom that ran (docs/plugins.md,
 * Stopping a run). Found by the plugins fuzz (test/fuzz/plugins.ts --known --seed 9 --only 109,
 * one run in three): on an engine with inlineBudget 3, a loop 0 → 1 → 0 runs atoms 0, 1, 0 inline
 * and is handed to a cachemiss thread at atom 1; aborted at once, it is cancelled before the
 * thread runs atom 1, and the run reports atomsExecuted 3 but last 1 — an atom that did not run
 * this time round, only earlier in the loop. PluginInstance.chainDone (plugins/instance.ts) asks
 * the executed mask whether the atom the thread stopped at ran; in a loop it did, before.
 *
 * Fixed in session 20: chainDone also asks whether the chain ran any atom since its inline part.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin, SYSLET_STOP_ON_NEGATIVE } from '../index.js';

const loop = definePlugin({
  name: 'test.cancelledLoop',
  params: { fd: 'fd' },
  cells: { count: 5 },
  scratch: { s: 16 },
  atoms: [
    { id: 'count', call: 'umem_add', args: [{ ref: 'count' }, -1], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, 8, 0], next: 'count' },
  ],
});

test('a loop cancelled before an atom it ran earlier names the atom that ran last', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-cancelled-loop-'));
  writeFileSync(join(dir, 'f'), 'x'.repeat(100));
  const fd = openSync(join(dir, 'f'), 'r');
  const engine = new Engine({ inlineBudget: 3 });
  const wrong: string[] = [];
  let cancelled = 0;
  try {
    for (let i = 0; i < 300 && wrong.length === 0; i++) {
      const controller = new AbortController();
      const running = loop.run(engine, { fd }, { signal: controller.signal });
      controller.abort();
      const result = await running.then(() => null, (error: unknown) => (error as { result?: { stop: string; atomsExecuted: number; last: number; lastId?: string } }).result ?? null);
      if (result?.stop !== 'cancelled') continue;
      cancelled++;
      // Atoms run: 0, 1, 0, 1, ...: the last one is 0 after an odd count, 1 after an even one.
      const expected = result.atomsExecuted % 2 === 1 ? 0 : 1;
      if (result.last !== expected) wrong.push(`cancelled after ${result.atomsExecuted} atoms: last ${result.last} (${String(result.lastId)}), expected ${expected}`);
    }
    assert.ok(cancelled > 0, 'some runs were cancelled');
    assert.deepEqual(wrong, []);
  } finally {
    closeSync(fd);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
