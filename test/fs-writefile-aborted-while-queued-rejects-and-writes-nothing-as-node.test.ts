/**
 * writeFile with an AbortSignal that is aborted while the calls wait (for Node: for its thread
 * pool's open; for syslet-aio/fs: for a place in the engine's request window), on
 * node:fs/promises and on syslet-aio/fs. Node checks the signal again once its open answers, so
 * every call still waiting rejects with AbortError and writes no data. Before the fix
 * syslet-aio/fs checked it only before taking a place: all 400 calls wrote their files and
 * resolved, where Node's 400 rejected.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

const CALLS = 400;
/** syslet-aio/fs's request window: calls past it wait for a place. */
const WINDOW = 128;

test('writeFile aborted while the calls wait rejects with AbortError and writes nothing, as Node', async (t) => {
  for (const { name, fs } of IMPLEMENTATIONS) {
    const dir = scratch(t, `fs-abort-${name.replace(/[^a-z]/gi, '')}`);
    const controller = new AbortController();
    const answers = Array.from({ length: CALLS }, (_, i) => fs.writeFile(join(dir, `f${i}`), 'data', { signal: controller.signal }).then(
      () => 'ok',
      (error: { name?: string; code?: string }) => `${String(error.name)} ${String(error.code)}`,
    ));
    // Aborted before the event loop turns: every call past the window is still waiting for a
    // place then. (After one setImmediate, as before session 24, a machine whose disk ends
    // writes fast had more than the window's 128 done within that turn's poll phase — each end
    // gives its place to a waiting call — and 85-261 of 400 aborted, on the code of any session.)
    controller.abort();
    const outcomes = await Promise.all(answers);
    const kinds = new Set(outcomes);
    kinds.delete('ok');
    assert.deepEqual([...kinds], ['AbortError ABORT_ERR'], `${name}: a call that does not resolve rejects with AbortError`);
    const aborted = outcomes.filter((outcome) => outcome !== 'ok').length;
    assert.ok(aborted >= CALLS - WINDOW, `${name}: the calls still waiting are aborted (${aborted} of ${CALLS})`);
    outcomes.forEach((outcome, i) => {
      const file = join(dir, `f${i}`);
      if (outcome === 'ok') assert.equal(readFileSync(file, 'utf8'), 'data', `${name}: f${i} resolved and holds its data`);
      else assert.ok(!existsSync(file) || readFileSync(file, 'utf8') === '', `${name}: f${i} was aborted and holds no data`);
    });
  }
});
