// engine.cancelChain stops one chain in flight and leaves the others alone: a chain blocked in
// read() on an empty socket is interrupted (the read returns -EINTR), the atom after it never
// runs, and the chain completes to its listener with stop reason `cancelled` and an executed mask
// that names only the atoms that ran. A second chain blocked the same way keeps waiting and ends
// normally when its data arrives; a stale (token, listener) pair cancels nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { Engine, type ChainListener } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP } from '../engine/atom.js';
import { EINTR } from '../engine/native/index.js';
import { closeAll, socketPair, SYS, untilBlockedIn } from './helpers/engine.js';

interface Done { last: number; result: number | bigint; atoms: number; stop: number; executed: number }

function submit(engine: Engine, first: number): { listener: ChainListener; done: Promise<Done>; token: number } {
  let settle: (done: Done) => void = () => undefined;
  const done = new Promise<Done>((resolve) => (settle = resolve));
  const listener: ChainListener = {
    chainDone: (last, result, atoms, stop, _latencyNs, executed) => settle({ last, result, atoms, stop, executed }),
  };
  assert.equal(engine.submit(first, listener), 0, 'the chain went asynchronous');
  return { listener, done, token: engine.lastSubmit.token };
}

test('cancelChain interrupts one blocked chain; another blocked chain is untouched', { timeout: 20_000 }, async (t) => {
  const engine = new Engine({ threads: 4 });
  const [readerA, writerA] = socketPair(engine);
  const [readerB, writerB] = socketPair(engine);
  t.after(async () => {
    await engine.close();
    closeAll(readerA, writerA, readerB, writerB);
  });
  using chainA = new ChainBuilder(engine.memory);
  const pidA = chainA.atom('getpid', []);
  const readA = chainA.atom('read', [readerA, chainA.buffer(16), 16]);
  const afterA = chainA.atom('getppid', []);
  using chainB = new ChainBuilder(engine.memory);
  const readB = chainB.atom('read', [readerB, chainB.buffer(16), 16]);

  const a = submit(engine, chainA.first);
  const b = submit(engine, chainB.first);
  assert.ok(a.token >= 0 && b.token >= 0 && a.token !== b.token);
  await untilBlockedIn(SYS.read, readerA, 10_000, engine);
  await untilBlockedIn(SYS.read, readerB, 10_000, engine);

  assert.equal(engine.cancelChain(b.token, a.listener), false, 'a token with another chain\'s listener names no chain');
  assert.equal(engine.cancelChain(a.token, a.listener), true);
  const doneA = await a.done;
  assert.equal(doneA.stop, STOP.cancelled);
  assert.equal(doneA.last, readA.at);
  assert.equal(readA.result.value, -EINTR, 'the blocked read was interrupted');
  assert.equal(afterA.result.value, 0, 'the atom after it never ran');
  assert.equal(pidA.result.value, process.pid);
  assert.equal(doneA.executed, 0b011, 'getpid and read ran; getppid did not');
  assert.equal(doneA.atoms, 2);
  assert.equal(engine.cancelChain(a.token, a.listener), false, 'a completed chain cannot be cancelled');

  writeSync(writerB, 'hello');
  const doneB = await b.done;
  assert.equal(doneB.stop, STOP.end, 'the other chain ended normally');
  assert.equal(readB.result.value, 5);
  assert.equal(doneB.executed, 0b1);
});

test('cancelChain on a chain still queued for a thread: it completes cancelled without running', { timeout: 20_000 }, async (t) => {
  // The one thread must be busy with the blocker: cachemiss threads only.
  const engine = new Engine({ threads: 1, engine: 'threads' });
  const [reader, writer] = socketPair(engine);
  t.after(async () => {
    await engine.close();
    closeAll(reader, writer);
  });
  using blocker = new ChainBuilder(engine.memory);
  blocker.atom('read', [reader, blocker.buffer(16), 16]);
  using queued = new ChainBuilder(engine.memory);
  const pid = queued.atom('getpid', [], { flags: 0x01 /* SYSLET_ASYNC */ });
  const first = submit(engine, blocker.first);
  await untilBlockedIn(SYS.read, reader);
  const second = submit(engine, queued.first);
  assert.equal(engine.cancelChain(second.token, second.listener), true);
  writeSync(writer, 'x');
  await first.done;
  const done = await second.done;
  assert.equal(done.stop, STOP.cancelled);
  assert.equal(done.atoms, 0);
  assert.equal(done.executed, 0);
  assert.equal(pid.result.value, 0, 'getpid never ran');
});
