/**
 * A loop that awaits one syslet-aio/fs call after another lets the event loop turn, as it does
 * with node:fs/promises. A call on a cached file completes inline and its Promise settles in the
 * microtask queue, so `while (!stopped) await fs.stat(path)` never yielded: an immediate, a timer,
 * I/O or a signal listener meant to set `stopped` never ran, and the loop never ended (session 11
 * sweep: a child that was to process.exit() from a timer with fs calls looping never exited;
 * 760,000 stats in 5 s with the timer of 100 ms never run). A call now waits for the next turn
 * when 16,384 have begun in this one.
 *
 * Deterministic: the loop is bounded by a count far above that, not by time; an immediate
 * scheduled before the loop must run before it ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';
import { loopsThatNeverTurned } from './helpers/event-loop-turns.js';

/** Far above the calls one turn begins: reached only when the event loop never turned. */
const BOUND = 100_000;

test('an immediate scheduled before a loop of awaited cached stat, access, readFile, readdir or FileHandle.read runs while the loop goes on', async (t) => {
  const dir = scratch(t, 'fs-turns');
  const file = join(dir, 'small');
  writeFileSync(file, 'cached bytes');
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  const handle = await fs.open(file, 'r');
  const buffer = Buffer.alloc(12);
  const calls: Record<string, () => Promise<unknown>> = {
    stat: () => fs.stat(file),
    access: () => fs.access(file),
    readFile: () => fs.readFile(file),
    readdir: () => fs.readdir(dir),
    'FileHandle.read': () => handle.read(buffer, 0, buffer.length, 0),
  };
  let looped: string[];
  try {
    looped = await loopsThatNeverTurned(calls, BOUND);
  } finally {
    await handle.close();
  }
  assert.deepEqual(looped, []);
});
