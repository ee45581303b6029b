// async_exec's return contract (fio's "on sync completion, the atom is returned; on NULL it's
// queued asynchronously"), always a bigint: the address of the last executed atom when the chain
// completed inline; 0n when it went to a cachemiss thread; a negative -errno when the submission
// itself is refused — -EFAULT when the first atom is not (wholly) in engine memory, -ESHUTDOWN
// once the engine is closed. A refused submission runs nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, SYSLET_ASYNC, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { addressOf, EFAULT, ESHUTDOWN } from '../engine/native/index.js';

test('inline: the address of the last executed atom', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', []);
  chain.atom('getppid', []);
  const third = chain.atom('getuid', []);
  const last = engine.async_exec(chain.first);
  assert.equal(typeof last, 'bigint');
  assert.equal(last, BigInt(third.at));
  assert.equal(engine.async_exec(BigInt(chain.first)), last, 'a bigint address works the same');
});

test('inline, stopped early: the stopping atom\'s address', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', []);
  const stopper = chain.atom('close', [-1], { flags: SYSLET_STOP_ON_NEGATIVE });
  chain.atom('getpid', []);
  assert.equal(engine.async_exec(chain.first), BigInt(stopper.at));
});

test('asynchronous: 0n, and the last atom arrives in the ring later', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const ring = engine.alloc(64);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 64 }), 0);
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  const last = chain.atom('getppid', []);
  assert.equal(engine.async_exec(chain.first), 0n);
  await engine.asyncWait(1);
  assert.deepEqual(engine.reap(), { atom: BigInt(last.at) });
});

test('refused with -EFAULT: the first atom is not wholly in engine memory', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  chain.atom('umem_add', [counter.ref, 1]);
  const unregistered = Buffer.alloc(256);
  const refused = [
    0, 0n, -1, -1n, 0x1000, 0xdead_beef_000, addressOf(unregistered),
    chain.region.end - ATOM.size + 8, chain.region.end, 2n ** 64n, 2n ** 53n + 8n, Number.NaN, 1.5,
  ];
  for (const address of refused) {
    assert.equal(engine.async_exec(address), -BigInt(EFAULT), `address ${String(address)}`);
  }
  assert.equal(counter.value, 0, 'nothing ran');
});

test('refused with -ESHUTDOWN once the engine is closed, even for a good atom', async () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  chain.atom('umem_add', [counter.ref, 1]);
  assert.ok(engine.async_exec(chain.first) > 0n);
  await engine.close();
  assert.equal(engine.async_exec(chain.first), -BigInt(ESHUTDOWN));
  assert.equal(engine.async_exec(0), -BigInt(ESHUTDOWN), 'ESHUTDOWN is checked first');
  assert.equal(counter.value, 1, 'the refused submission ran nothing');
});

test('inline completions are not posted to the ring (without reportInline)', () => {
  const engine = new Engine();
  const ring = engine.alloc(64);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 64 }), 0);
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', []);
  assert.ok(engine.async_exec(chain.first) > 0n);
  assert.equal(engine.reap(), null);
  assert.ok(ring.bytes.every((byte) => byte === 0));
});
