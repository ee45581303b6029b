// async_wait(min) counts from the caller's consumer position (issue 14 item 6). The 2007 contract:
// the application takes a completion by reading its slot and setting it to NULL, and
// async_wait(min) returns once min completions are stored. The engine used to count from an index
// only reap() moves: with slot 0 taken by hand and a completion in slot 1, async_wait(1) waited for
// an unrelated long sleeper. Both forms are checked: the engine finding the position itself, and
// the caller passing its own (v3's user_ring_idx).
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import type { Region } from '../engine/memory.js';

async function until(engine: Engine, condition: () => boolean): Promise<void> {
  for (let waited = 0; !condition() && waited < 20_000; waited += 5) {
    engine.pump();
    await delay(5);
  }
  assert.ok(condition(), 'timed out waiting for a completion');
}

/** An engine with a v1 ring of 4 slots: chain A's completion taken by hand from slot 0, B's in slot 1, a sleeper in flight. */
async function slotZeroTakenByHand(t: TestContext): Promise<{ engine: Engine; ring: Region; b: number }> {
  const engine = new Engine({ threads: 4 });
  t.after(() => engine.close());
  // Three threads waiting for work: A, the sleeper and B each find one at once.
  await engine.warm(3);
  const ring = engine.alloc(8 * 4);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 8 * 4 }), 0);
  const slot = (i: number): bigint => ring.view.getBigUint64(i * 8, true);
  const a = new ChainBuilder(engine.memory);
  a.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(a.first), 0n);
  await until(engine, () => slot(0) !== 0n);
  assert.equal(slot(0), BigInt(a.first));
  ring.view.setBigUint64(0, 0n, true); // taken, the 2007 way
  const sleeper = new ChainBuilder(engine.memory);
  const ts = sleeper.buffer(16);
  new DataView(ts.bytes.buffer, ts.bytes.byteOffset, 16).setBigInt64(0, 60n, true); // 60 s: close() ends it
  sleeper.atom('nanosleep', [ts, 0], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(sleeper.first), 0n);
  const b = new ChainBuilder(engine.memory);
  b.atom('getpid', [], { flags: SYSLET_ASYNC });
  assert.equal(engine.async_exec(b.first), 0n);
  await until(engine, () => slot(1) !== 0n);
  assert.equal(engine.inflight, 1, 'only the sleeper is left');
  return { engine, ring, b: b.first };
}

test('async_wait(1) sees the completion after a slot the caller took itself', async (t) => {
  const { engine, b } = await slotZeroTakenByHand(t);
  assert.equal(engine.async_wait(1), 1);
  assert.equal(engine.inflight, 1, 'it returned without waiting for the sleeper');
  assert.equal(engine.ring?.consumerIndex, 1);
  assert.equal(engine.reap()?.atom, BigInt(b), 'reap() takes it from slot 1');
  assert.equal(engine.reap(), null);
});

test('async_wait(1, userRingIdx) counts from the index the caller gives', async (t) => {
  const { engine, ring, b } = await slotZeroTakenByHand(t);
  assert.equal(engine.async_wait(1, 1), 1);
  assert.equal(engine.inflight, 1, 'it returned without waiting for the sleeper');
  assert.equal(await engine.asyncWait(1, { userRingIdx: 1 }), 1, 'the Promise form too');
  // The caller takes slot 1 by hand as well: nothing is left to count.
  assert.equal(ring.view.getBigUint64(8, true), BigInt(b));
  ring.view.setBigUint64(8, 0n, true);
  assert.equal(engine.ring?.available(2), 0);
  assert.equal(engine.async_wait(0, 2), 0);
  assert.equal(engine.async_wait(1, -1), -22, 'a negative index is -EINVAL');
});
