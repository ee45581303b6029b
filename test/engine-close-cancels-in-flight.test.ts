// engine.close() cancels every chain in flight and still delivers it: a chain blocked in the
// kernel on an empty socket is interrupted (its call returns -EINTR) and completes with stop
// reason `cancelled` (4); a chain still queued for a thread completes the same way without
// running; close() resolves only after, nothing is left in flight, and a process that closes its
// engine this way then exits by itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC } from '../engine/atom.js';
import { EINTR } from '../engine/native/index.js';
import { closeAll, socketPair, SYS, untilBlockedIn } from './helpers/engine.js';
import { runChild, engineUrl } from './helpers/child.js';

/** What a promise has settled to by the next turn of the event loop, or 'pending'. */
async function settled<T>(promise: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([promise, nextTurn('pending' as const)]);
}

test('a chain blocked in its last atom is interrupted and completes with stop cancelled', { timeout: 15_000 }, async (t) => {
  const engine = new Engine({ threads: 2 });
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  using chain = new ChainBuilder(engine.memory);
  const read = chain.atom('read', [reader, chain.buffer(16), 16]);
  const done = engine.runChain(chain.first);
  await untilBlockedIn(SYS.read, reader, 10_000, engine);
  await engine.close();
  const completion = await settled(done);
  assert.notEqual(completion, 'pending', 'close() resolved before the chain was delivered');
  if (completion === 'pending') return;
  assert.equal(read.result.value, -EINTR, 'the blocked call was interrupted');
  assert.equal(completion.last, read.at);
  assert.equal(completion.stop, STOP.cancelled);
  assert.equal(completion.stop, 4);
  assert.equal(engine.inflight, 0);
});

test('a chain blocked mid-chain stops before its next atom, with stop cancelled', { timeout: 15_000 }, async (t) => {
  const engine = new Engine({ threads: 2 });
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  using chain = new ChainBuilder(engine.memory);
  const read = chain.atom('read', [reader, chain.buffer(16), 16]);
  const after = chain.atom('getpid', []);
  const done = engine.runChain(chain.first);
  await untilBlockedIn(SYS.read, reader, 10_000, engine);
  await engine.close();
  const completion = await settled(done);
  assert.notEqual(completion, 'pending', 'close() resolved before the chain was delivered');
  if (completion === 'pending') return;
  assert.equal(completion.stop, STOP.cancelled);
  assert.equal(completion.last, read.at);
  assert.equal(read.result.value, -EINTR);
  assert.equal(after.result.value, 0, 'the atom after the interrupted one never ran');
});

test('a chain still queued for a thread at close completes with stop cancelled, unrun', { timeout: 15_000 }, async () => {
  const engine = new Engine({ threads: 1 });
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  const done = engine.runChain(chain.first);
  // The thread is still starting (it takes a few hundred ms under tsx): the chain is queued.
  await engine.close();
  const completion = await settled(done);
  assert.notEqual(completion, 'pending', 'the queued chain was never delivered');
  if (completion === 'pending') return;
  assert.equal(completion.stop, STOP.cancelled);
  assert.equal(atom.result.value, 0, 'getpid never ran');
  assert.equal(engine.inflight, 0);
});

test('after close() with a blocked chain, the process exits by itself', async () => {
  const child = await runChild(`
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { socketPair, untilBlockedIn } from ${JSON.stringify(new URL('./helpers/engine.ts', import.meta.url).href)};
const engine = new Engine({ threads: 2, idleTimeMs: 30_000 });
const [reader] = socketPair(engine);
const chain = new ChainBuilder(engine.memory);
chain.atom('read', [reader, chain.buffer(16), 16]);
const done = engine.runChain(chain.first).then((c) => console.log('completed', c.result));
await untilBlockedIn(0, reader, 10_000, engine);
await engine.close();
await done;
console.log('closed', engine.inflight);
`, 12_000);
  assert.equal(child.timedOut, false, `the child hung after close(): ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'completed -4\nclosed 0');
});
