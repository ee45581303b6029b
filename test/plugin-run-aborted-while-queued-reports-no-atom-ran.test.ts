/**
 * A plugin run aborted while its chain waits for a busy cachemiss thread stops before its first
 * atom, and its result says so: `last` -1, no `lastId`, no atom executed. The engine's completion
 * for such a chain names the atom it stopped at (so that a ring slot is never NULL); that atom did
 * not run, and the run once reported "stopped after atom 0" for it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { isAbortError } from '../engine/errors.js';
import { definePlugin, type PluginAbortError } from '../plugins/index.js';
import { closeAll, socketPair, SYS, untilBlockedIn } from './helpers/engine.js';

const queued = definePlugin({
  name: 'test.queued',
  params: {},
  atoms: [
    { id: 'pid', call: 'getpid', args: [], flags: SYSLET_ASYNC },
    { id: 'parent', call: 'getppid', args: [] },
  ],
});

test('aborted while queued for a busy thread: AbortError whose result says no atom ran', { timeout: 90_000 }, async (t) => {
  // On threads: the subject is a chain queued behind the only, busy, cachemiss thread (with the
  // io_uring engine the blocking read would wait in the ring and no thread would ever block).
  const engine = new Engine({ engine: 'threads', threads: 1 });
  t.after(() => engine.close());
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  // The engine's only thread blocks in a read until the test writes: the plugin's chain queues.
  const blocker = new ChainBuilder(engine.memory);
  t.after(() => blocker[Symbol.dispose]());
  blocker.atom('read', [reader, blocker.buffer(1), 1], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(blocker.first), 0n);
  await untilBlockedIn(SYS.read, reader, 60_000);

  const controller = new AbortController();
  const running = queued.run(engine, {}, { signal: controller.signal });
  controller.abort(new Error('gave up while queued'));
  // Free the thread: it takes the cancelled chain next and stops before its first atom.
  writeSync(writer, Buffer.from('x'));
  const error = await running.then(
    () => assert.fail('the run should have been aborted'),
    (rejected: unknown) => rejected as PluginAbortError,
  );
  assert.ok(isAbortError(error), String(error));
  const { result } = error;
  assert.equal(result.stop, 'cancelled');
  assert.equal(result.last, -1, 'no atom ran, so the chain did not stop after one');
  assert.equal(result.lastId, undefined);
  assert.equal(result.atomsExecuted, 0);
  assert.deepEqual(result.atoms.map((atom) => atom.executed), [false, false]);
});
