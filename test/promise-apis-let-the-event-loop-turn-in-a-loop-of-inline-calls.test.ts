/**
 * A loop that awaits one inline call after another lets the event loop turn, for every Promise API
 * of the library, as syslet-aio/fs does (test fs-a-loop-of-cached-calls-gives-the-event-loop-a-turn)
 * and as node:fs/promises does. A chain that completes inline settles its Promise in the microtask
 * queue, so `while (!stopped) await aio.read(fd, buf, 0)` over a cached file, or a loop of
 * `engine.runChain` / `plugin.run` of chains that never block, never yielded: a timer or signal
 * listener meant to set `stopped` never ran (found in session 11: 51,918 aio.read in 5 s with a
 * 100 ms timer never run). One budget of calls per turn (engine/event-loop-turns.ts) now covers
 * them all.
 *
 * Deterministic: each loop is bounded by a count far above the budget, not by time; an immediate
 * scheduled before the loop must run before it ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { aio, ChainBuilder, definePlugin, Engine } from '../index.js';
import { CALLS_PER_TURN } from '../engine/event-loop-turns.js';
import { scratch } from './helpers/fs-implementations.js';
import { loopsThatNeverTurned } from './helpers/event-loop-turns.js';

/** Far above the calls one turn lets begin: reached only when the event loop never turned. */
const BOUND = 4 * CALLS_PER_TURN;

const pid = definePlugin({
  name: 'test.turns.getpid',
  params: {},
  atoms: [{ id: 'pid', call: 'getpid', args: [] }],
});

test('an immediate scheduled before a loop of awaited inline aio.read, aio.write, engine.runChain or plugin.run runs while the loop goes on', async (t) => {
  const dir = scratch(t, 'promise-turns');
  const file = join(dir, 'cached');
  writeFileSync(file, Buffer.alloc(4096, 7));
  const fd = openSync(file, 'r+');
  const engine = new Engine();
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 64 });
  chain.atom('getpid', []);
  t.after(async () => {
    chain[Symbol.dispose]();
    closeSync(fd);
    await engine.close();
  });
  const buffer = Buffer.alloc(512);
  const calls: Record<string, () => Promise<unknown>> = {
    'aio.read': () => aio.read(fd, buffer, 0),
    'aio.write': () => aio.write(fd, buffer, 1024),
    'engine.runChain': () => engine.runChain(chain.first),
    'plugin.run': () => pid.run(engine, {}),
  };
  const looped = await loopsThatNeverTurned(calls, BOUND);
  assert.deepEqual(looped, []);
});

test('a rejection waiting for the next turn is not reported unhandled', async (t) => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown): void => {
    unhandled.push(reason);
  };
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  // Past the budget, calls on a closed fd: each rejects at once (EBADF) and waits for the turn.
  const buffer = Buffer.alloc(16);
  const settled = await Promise.allSettled(Array.from({ length: CALLS_PER_TURN + 64 }, () => aio.read(1_000_000, buffer, 0)));
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(settled.filter((outcome) => outcome.status === 'rejected').length, CALLS_PER_TURN + 64);
  assert.deepEqual(unhandled, []);
});
