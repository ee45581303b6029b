/**
 * A loop that awaits one large inline call after another lets the event loop turn long before the
 * per-turn call budget (CALLS_PER_TURN) is used up. Found in session 13: with 16 loops of cached
 * 1 MiB `readFile`s from syslet-aio/fs and 16 of `aio.read`, a 20 ms timer ran 5-8 s late
 * (`process.exit` in it, and so the process, waited that long), because the budget counted calls
 * only and 16,384 calls of 1 MiB take seconds. node:fs/promises gives a turn per call. A turn now
 * also ends 50 ms after its first call (engine/event-loop-turns.ts).
 *
 * Deterministic: each loop is bounded by a count below the call budget (8,192 calls of 1 MiB:
 * seconds of copying on any machine, against the 50 ms bound), so only the time bound can give
 * the turn; a timer of 1 ms scheduled before the loop must run before it ends (when it does, the
 * loop stops there, after some 50 ms).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aio } from '../index.js';
import { readFile } from '../fs.js';
import { CALLS_PER_TURN } from '../engine/event-loop-turns.js';
import { scratch } from './helpers/fs-implementations.js';

const SIZE = 1024 * 1024;
const BOUND = 8_192;

test('a timer scheduled before a loop of awaited 1 MiB inline aio.read or readFile runs while the loop goes on', async (t) => {
  assert.ok(BOUND < CALLS_PER_TURN, 'the bound is below the call budget, so only the time bound can end the turn');
  const dir = scratch(t, 'large-turns');
  const file = join(dir, 'cached');
  writeFileSync(file, Buffer.alloc(SIZE, 7));
  const fd = openSync(file, 'r');
  t.after(() => closeSync(fd));
  const buffer = Buffer.alloc(SIZE);
  const calls: Record<string, () => Promise<unknown>> = {
    'aio.read': () => aio.read(fd, buffer, 0),
    readFile: () => readFile(file),
  };
  const late: string[] = [];
  for (const [name, call] of Object.entries(calls)) {
    await call(); // the file is cached and the call's paths are warm
    let fired = false;
    setTimeout(() => (fired = true), 1);
    let count = 0;
    while (!fired && count < BOUND) {
      await call();
      count++;
    }
    if (!fired) late.push(`${name}: ${count} calls of ${SIZE} bytes, the timer never ran`);
  }
  assert.deepEqual(late, []);
});
