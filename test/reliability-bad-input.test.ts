// Issue #8, bad input everywhere (engine level): wrong types, NaN, negative and huge numbers,
// detached buffers given to every public engine function → a typed error or a -errno, never a
// crash. The POSIX layer (index.ts) did not exist when this was written: see docs/reliability.md.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { negotiateRing } from '../engine/ring.js';
import { definePlugin } from '../plugins/plugin.js';
import { aioRead } from '../plugins/builtin/aio.js';
import { closeQuietly } from './fuzz/corpus.js';

const EFAULT = -14n;
const typed = (error: unknown): boolean => error instanceof RangeError || error instanceof TypeError || (error instanceof Error && /Error$/.test(error.name));
const BAD_NUMBERS: unknown[] = [Number.NaN, -1, -0.5, 1.5, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 2 ** 53, 2 ** 64, -(2 ** 63), 0];
const BAD_VALUES: unknown[] = [...BAD_NUMBERS, 'abc', '4096', null, undefined, {}, [], () => 0, Symbol('s'), -1n, 2n ** 64n, 2n ** 53n];

test('async_exec/submit: any non-address is -EFAULT, never a throw', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  for (const value of BAD_VALUES) {
    assert.equal(engine.async_exec(value as never), EFAULT, String(typeof value === 'symbol' ? 'symbol' : value));
  }
  const outside = Buffer.alloc(88);
  assert.equal(engine.async_exec(BigInt(outside.byteOffset)), EFAULT);
  await assert.rejects(engine.runChain(Number.NaN), RangeError);
  assert.throws(() => engine.runChainSync(-1), RangeError);
});

test('alloc/register/unregister: bad sizes and buffers are typed errors; detached buffers cannot be registered', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  for (const size of [...BAD_NUMBERS.filter((n) => n !== 1.5), 'abc', null, 2 ** 60]) {
    assert.throws(() => engine.alloc(size as never), typed, `alloc(${String(size)})`);
  }
  for (const value of [123, 'abc', null, undefined, {}, new Uint8Array(0), new ArrayBuffer(0)]) {
    assert.throws(() => engine.register(value as never), typed, `register(${Object.prototype.toString.call(value)})`);
  }
  const detached = new ArrayBuffer(4096);
  structuredClone(detached, { transfer: [detached] });
  assert.equal(detached.byteLength, 0);
  assert.throws(() => engine.register(detached), RangeError);
  assert.throws(() => engine.register(new Uint8Array(detached)), typed);
  assert.equal(engine.unregister(new ArrayBuffer(8)), false);
});

test('a registered buffer cannot be detached by a transfer: it is cloned and its chain still runs', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  const buffer = new ArrayBuffer(4096);
  const region = engine.register(buffer);
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  chain.atom('getpid', [], { ret: null });
  new Uint8Array(buffer).set(chain.region.bytes.subarray(0, 88));
  const moved = structuredClone(buffer, { transfer: [buffer] });
  let outcome: bigint | number | Error;
  try {
    outcome = engine.async_exec(region.start);
  } catch (error) {
    outcome = error as Error;
  }
  // A registered buffer is marked untransferable (engine/memory.ts keepAttached, session 21):
  // the transfer cloned it, so it is still attached and its chain runs. Before, it was detached
  // and the executor's DataView threw a TypeError (or the call answered -EFAULT).
  assert.equal(buffer.byteLength, 4096, 'still attached');
  assert.ok(!(outcome instanceof Error) && outcome !== EFAULT, String(outcome));
  assert.equal(moved.byteLength, 4096);
});

test('ChainBuilder: bad sizes, names, argument counts are typed errors', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  assert.throws(() => new ChainBuilder(engine.memory, { maxAtoms: Number.NaN }), RangeError);
  assert.throws(() => new ChainBuilder(engine.memory, { dataBytes: -1e9 }), RangeError);
  assert.throws(() => new ChainBuilder(engine.memory, { dataBytes: 2 ** 60 }), typed);
  const chain = new ChainBuilder(engine.memory, { maxAtoms: 2, dataBytes: 256 });
  assert.throws(() => chain.atom('no_such_call'), RangeError);
  assert.throws(() => chain.atom('getpid', [1, 2, 3, 4, 5, 6, 7]), RangeError);
  assert.throws(() => chain.buffer(1 << 20), RangeError);
  assert.throws(() => (new ChainBuilder(engine.memory, { maxAtoms: 1 })).first, RangeError);
  chain.atom('getpid');
  chain.atom('getpid');
  assert.throws(() => chain.atom('getpid'), RangeError, 'chain is full');
});

test('Engine options: wrong types are typed errors; an atom bound of 1 stops a two-atom chain with "limit"', async () => {
  assert.throws(() => new Engine({ allow: 'getpid' as never }), RangeError);
  assert.throws(() => new Engine({ allow: [1 as never] }), RangeError);
  // A bound below 1 is refused since session 26 (engine-options-atom-limit-and-inline-budget-are-range-checked).
  assert.throws(() => new Engine({ maxAtomsPerChain: -1 }), RangeError);
  const engine = new Engine({ maxAtomsPerChain: 1 });
  const chain = new ChainBuilder(engine.memory);
  chain.atom('getpid');
  chain.atom('getpid');
  const done = engine.runChainSync(chain.first);
  assert.equal(done.stop, 3);
  assert.equal(done.atoms, 1);
  await closeQuietly(engine);
});

test('async_register / async_wait / negotiateRing: bad numbers are -EINVAL/-EFAULT/-EBUSY or typed errors', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  const region = engine.alloc(4096);
  for (const ring of [Number.NaN, 'x', -8, region.start + 4, 1.5]) {
    const answer = engine.async_register({ ring: ring as never, ringSizeBytes: 64 });
    assert.ok(answer === -22 || answer === -14, `ring ${String(ring)}: ${answer}`);
  }
  for (const size of [Number.NaN, -64, 0, 7, 1.5, 2 ** 60, 'x']) {
    const answer = engine.async_register({ ring: region.start, ringSizeBytes: size as never });
    assert.ok(answer === -22 || answer === -14, `size ${String(size)}: ${answer}`);
  }
  assert.equal(engine.async_register({ ring: Buffer.alloc(64).byteOffset + 0x10000000, ringSizeBytes: 64 }), -14);
  assert.equal(engine.async_wait(1), -22, 'no ring');
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 64 }), 0);
  assert.equal(engine.async_register({ ring: region.start, ringSizeBytes: 64 }), -16);
  for (const min of [Number.NaN, -1, 1.5, 9, 2 ** 60, 'x']) assert.equal(engine.async_wait(min as never), -22, `minEvents ${String(min)}`);
  assert.equal(engine.async_wait(0), 0);
  await assert.rejects(engine.asyncWait(1000), RangeError);
  assert.equal(negotiateRing({ version: Number.NaN }).version, 1);
  assert.equal(negotiateRing({ version: 'x' as never }).version, 1);
  assert.deepEqual(negotiateRing({ version: 2, attributes: ['latency', 'nope'] }).unsupported, ['nope']);
  assert.throws(() => negotiateRing({ version: 2, attributes: 5 as never }), TypeError);
  assert.equal(engine.async_unregister(), 0);
  assert.equal(engine.async_unregister(), -22);
});

test('regression: async_register accepts forged capabilities (entrySize <= 0 or not a ring entry size) — must be -EINVAL', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  const region = engine.alloc(4096);
  for (const entrySize of [-8, 1, 3, 16]) {
    const answer = engine.async_register({ ring: region.start + 256, ringSizeBytes: 64, capabilities: { version: 2, entrySize, attributes: [], unsupported: [] } });
    if (answer === 0) engine.async_unregister();
    assert.equal(answer, -22, `entrySize ${entrySize} was accepted: a negative one makes the ring post before its own start`);
  }
});

test('plugins: bad definitions are PluginDefinitionError (or TypeError for a non-object), bad parameters reject with typed errors', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => closeQuietly(engine));
  const badDefinitions: unknown[] = [
    { name: 5, params: {}, atoms: [{ call: 'getpid', args: [] }] },
    { name: 'x.y', params: {}, atoms: 'getpid' },
    { name: 'x.y', params: {}, atoms: [] },
    { name: 'x.y', params: {}, atoms: [{ call: 'getpid', args: [], flags: Number.NaN }] },
    { name: 'x.y', params: {}, atoms: [{ call: 'getpid', args: [], flags: 0x100 }] },
    { name: 'x.y', params: {}, atoms: [{ call: 'getpid', args: [], next: 7 }] },
    { name: 'x.y', params: {}, atoms: [{ call: 'read', args: [Number.NaN, 0, 0] }] },
    { name: 'x.y', params: { fd: 'fd' }, atoms: [{ call: 'read', args: [{ param: 'fd' }, 0x1000, 0] }] },
    { name: 'x.y', params: { p: 'nonsense' }, atoms: [{ call: 'getpid', args: [] }] },
    { name: 'x.y', params: {}, scratch: { s: -1 }, atoms: [{ call: 'getpid', args: [] }] },
    { name: 'x.y', params: {}, atoms: Array.from({ length: 17 }, () => ({ call: 'getpid', args: [] })) },
  ];
  for (const definition of badDefinitions) {
    assert.throws(() => definePlugin(definition as never), (error: unknown) => error instanceof Error && (error.name === 'PluginDefinitionError' || error instanceof TypeError), JSON.stringify(definition));
  }
  for (const fd of [Number.NaN, 1.5, 'x', undefined, null, {}]) {
    await assert.rejects(aioRead.run(engine, { fd, buf: 0, nbytes: 0, offset: 0 } as never), (error: unknown) => error instanceof RangeError || error instanceof TypeError);
  }
  // Out-of-range but well-typed values reach the kernel and come back as errnos.
  const result = await aioRead.run(engine, Object.fromEntries(Object.keys(aioRead.params).map((name) => [name, name === 'fd' ? -1 : 2n ** 62n])) as never);
  assert.ok(result.atoms.some((atom) => atom.executed && typeof atom.errno === 'string'));
});
