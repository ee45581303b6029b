// The engine never overwrites a non-NULL ring slot: when the consumer has not NULLed the slot the
// next completion would go to, that completion waits (in order) and is posted once the slot is
// free. Nothing is dropped and nothing is posted out of order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder, type AtomRef } from '../engine/builder.js';
import { negotiateRing } from '../engine/ring.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { untilIdle } from './helpers/engine.js';

/** Submits `count` one-atom chains that go straight to a cachemiss thread, one after another. */
function submitAsync(engine: Engine, count: number): AtomRef[] {
  const atoms: AtomRef[] = [];
  for (let i = 0; i < count; i++) {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 64 });
    atoms.push(chain.atom('getpid', [], { flags: SYSLET_ASYNC }));
    assert.equal(engine.async_exec(chain.first), 0n);
    // One at a time: the order of completions is then the order of submission.
    untilIdle(engine);
  }
  return atoms;
}

test('v1: a full ring keeps its entries; the rest wait and follow in order', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const ring = engine.alloc(2 * 8);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 16 }), 0);
  const atoms = submitAsync(engine, 5);
  const slot = (i: number): bigint => ring.view.getBigUint64(i * 8, true);
  assert.equal(slot(0), BigInt(atoms[0]?.at ?? 0), 'slot 0 still holds the first completion');
  assert.equal(slot(1), BigInt(atoms[1]?.at ?? 0), 'slot 1 still holds the second');
  assert.equal(engine.ring?.available(), 2);
  const reaped: bigint[] = [];
  for (let completion = engine.reap(); completion !== null; completion = engine.reap()) reaped.push(completion.atom);
  assert.deepEqual(reaped, atoms.map((atom) => BigInt(atom.at)), 'all five, each once, in completion order');
  assert.equal(slot(0), 0n);
  assert.equal(slot(1), 0n);
});

test('a slot the consumer has not NULLed is never written, even with other slots free', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const ring = engine.alloc(4 * 8);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 32 }), 0);
  const foreign = 0x0bad_cafe_0000n;
  ring.view.setBigUint64(0, foreign, true);
  const [atom] = submitAsync(engine, 1);
  assert.equal(ring.view.getBigUint64(0, true), foreign, 'the occupied slot kept its value');
  assert.equal(ring.view.getBigUint64(8, true), 0n, 'and the completion did not skip ahead into slot 1');
  assert.equal(engine.reap()?.atom, foreign, 'the consumer takes what is in its slot');
  // Reaping NULLed slot 0, and the waiting completion went there: the producer's slot, the
  // moment it was free (the consumer, now at slot 1, meets it after wrapping around).
  assert.equal(ring.view.getBigUint64(0, true), BigInt(atom?.at ?? 0));
  assert.equal(ring.view.getBigUint64(8, true), 0n);
});

test('v2: 48-byte entries are never overwritten either', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const capabilities = negotiateRing({ version: 2 });
  const ring = engine.alloc(2 * 48);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 96, capabilities }), 0);
  const atoms = submitAsync(engine, 3);
  const first = ring.bytes.slice(0, 48);
  assert.equal(ring.view.getBigUint64(0, true), BigInt(atoms[0]?.at ?? 0));
  assert.equal(ring.view.getBigUint64(48, true), BigInt(atoms[1]?.at ?? 0));
  assert.deepEqual(engine.reap()?.atom, BigInt(atoms[0]?.at ?? 0));
  assert.notDeepEqual(ring.bytes.slice(0, 48), first, 'slot 0 now holds the third completion');
  assert.equal(ring.view.getBigUint64(0, true), BigInt(atoms[2]?.at ?? 0));
  assert.equal(engine.reap()?.atom, BigInt(atoms[1]?.at ?? 0));
  assert.equal(engine.reap()?.atom, BigInt(atoms[2]?.at ?? 0));
  assert.equal(engine.reap(), null);
});
