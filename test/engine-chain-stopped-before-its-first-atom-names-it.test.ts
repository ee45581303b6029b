// A chain that stops on a cachemiss thread before it runs any atom — its memory was freed while it
// waited for a thread, or it was cancelled there — still completes exactly once, naming the atom it
// stopped at. Found by the teardown fuzz campaign: such a completion named atom 0, and a NULL atom
// word in the ring reads as an empty slot, so the completion was lost (the chain had completed,
// inflight was 0, and reap() never returned it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine, type ChainListener } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC } from '../engine/atom.js';
import { EFAULT } from '../engine/native/index.js';
import { closeAll, socketPair, SYS, untilBlockedIn } from './helpers/engine.js';

/** An engine whose only thread is blocked reading `reader` until the test writes to `writer`. */
async function busyEngine(t: { after: (fn: () => unknown) => void }): Promise<{ engine: Engine; writer: number }> {
  // Threads forced: the blocker must occupy the only cachemiss thread (with io_uring its read
  // would be a ring request and the queued chains would find the thread free).
  const engine = new Engine({ threads: 1, engine: 'threads' });
  t.after(() => engine.close());
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  const blocker = new ChainBuilder(engine.memory);
  blocker.atom('read', [reader, blocker.buffer(1), 1], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(blocker.first), 0n);
  // The thread may take a while to start (under tsx): the wait is for the state, not a time.
  await untilBlockedIn(SYS.read, reader, 60_000);
  return { engine, writer };
}

test('freed while queued: the ring gets a completion naming its first atom, with -EFAULT', async (t) => {
  const { engine, writer } = await busyEngine(t);
  const ring = engine.alloc(8 * 8);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 64 }), 0);
  const queued = new ChainBuilder(engine.memory);
  const first = queued.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(queued.first), 0n, 'it waits for the busy thread');
  queued[Symbol.dispose]();
  writeSync(writer, Buffer.from('x'));
  const atoms: bigint[] = [];
  for (let waited = 0; engine.inflight > 0 && waited < 20_000; waited += 5) {
    engine.pump();
    await delay(5);
  }
  engine.pump();
  for (let completion = engine.reap(); completion !== null; completion = engine.reap()) atoms.push(completion.atom);
  assert.equal(engine.inflight, 0);
  assert.ok(atoms.includes(BigInt(first.at)), `the freed chain's completion is in the ring: ${atoms.map((atom) => atom.toString(16)).join(', ')}`);
  assert.equal(atoms.length, 2, 'one completion each for the blocker and the freed chain');
});

test('freed while queued, or cancelled before its first atom: the listener gets the atom, once', async (t) => {
  const { engine, writer } = await busyEngine(t);
  const seen: { last: number; result: number | bigint; stop: number }[] = [];
  const listener: ChainListener = { chainDone: (last, result, _atoms, stop) => seen.push({ last, result, stop }) };
  const freed = new ChainBuilder(engine.memory);
  const freedAtom = freed.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.submit(freed.first, listener), 0);
  freed[Symbol.dispose]();
  const cancelled = new ChainBuilder(engine.memory);
  const cancelledAtom = cancelled.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.submit(cancelled.first, listener), 0);
  // Cancelled while queued: the thread takes it and stops before its first atom.
  assert.equal(engine.cancelChain(engine.lastSubmit.token, listener), true);
  writeSync(writer, Buffer.from('x'));
  for (let waited = 0; seen.length < 2 && waited < 20_000; waited += 5) await delay(5);
  await delay(50);
  assert.deepEqual(seen, [
    { last: freedAtom.at, result: -EFAULT, stop: STOP.fault },
    { last: cancelledAtom.at, result: seen[1]?.result ?? 0, stop: STOP.cancelled },
  ]);
  assert.equal(cancelledAtom.result.value, 0, 'the cancelled chain ran nothing');
});
