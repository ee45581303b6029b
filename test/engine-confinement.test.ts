// Confinement: an atom may only make the kernel read or write memory the engine allocated or the
// caller registered. A pointer anywhere else — an unregistered Buffer, a random address, a range
// that runs one byte past a region's end, another engine's memory, a buffer after unregister —
// gives -EFAULT before the call is made, and the canary bytes around and behind it stay intact.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP } from '../engine/atom.js';
import { addressOf, EFAULT } from '../engine/native/index.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const GUARD = 64;
const WINDOW = 4096;
const CANARY = 0xa5;

/** An open file of 2 × WINDOW pattern bytes (cached), closed after the test. */
function source(t: TestContext): { fd: number; content: Uint8Array } {
  const content = patternBytes(2 * WINDOW);
  const fd = openSync(freshFile(tempDir(t), 'src.bin', content), 'r');
  t.after(() => closeSync(fd));
  return { fd, content };
}

/** pread64(fd, address, count, 0) run inline; returns its result. */
function preadTo(engine: Engine, fd: number, address: number, count: number): number {
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('pread64', [fd, { address }, count, 0]);
  engine.runChainSync(chain.first);
  return Number(atom.result.value);
}

function allCanary(bytes: Uint8Array, from = 0, to = bytes.length): boolean {
  for (let i = from; i < to; i++) if (bytes[i] !== CANARY) return false;
  return true;
}

test('a registered buffer: reads land exactly in the window, the guard bytes stay', (t) => {
  const engine = new Engine();
  const { fd, content } = source(t);
  const backing = new Uint8Array(GUARD + WINDOW + GUARD).fill(CANARY);
  const region = engine.register(backing);
  assert.equal(region.end - region.start, backing.length);
  assert.equal(preadTo(engine, fd, region.start + GUARD, WINDOW), WINDOW);
  assert.deepEqual(backing.subarray(GUARD, GUARD + WINDOW), content.subarray(0, WINDOW));
  assert.ok(allCanary(backing, 0, GUARD), 'leading guard intact');
  assert.ok(allCanary(backing, GUARD + WINDOW), 'trailing guard intact');
});

test('a range running one byte past a region\'s end is refused whole: nothing is written', (t) => {
  const engine = new Engine();
  const { fd } = source(t);
  const backing = new Uint8Array(GUARD + WINDOW + GUARD).fill(CANARY);
  const region = engine.register(backing);
  const untilEnd = region.end - (region.start + GUARD);
  assert.equal(preadTo(engine, fd, region.start + GUARD, untilEnd + 1), -EFAULT);
  assert.equal(preadTo(engine, fd, region.end - 1, 2), -EFAULT);
  assert.equal(preadTo(engine, fd, region.end, 1), -EFAULT, 'the address just past the end');
  assert.ok(allCanary(backing), 'not one byte was written');
  // The exact fit is fine: the last byte of the region.
  assert.equal(preadTo(engine, fd, region.end - 1, 1), 1);
  assert.ok(allCanary(backing, 0, backing.length - 1));
});

test('an unregistered Buffer is never written, and its neighbours neither', (t) => {
  const engine = new Engine();
  const { fd } = source(t);
  const outside = Buffer.alloc(GUARD + WINDOW + GUARD, CANARY);
  const address = addressOf(outside);
  assert.equal(preadTo(engine, fd, address + GUARD, WINDOW), -EFAULT);
  assert.equal(preadTo(engine, fd, address, 1), -EFAULT);
  assert.ok(allCanary(outside));
});

test('random addresses, NULL and non-canonical ones give -EFAULT without a crash', (t) => {
  const engine = new Engine();
  const { fd } = source(t);
  for (const address of [0, 8, 0x1000, 0x4000_0000, 0xdead_beef_000, 2 ** 47 - 8, 2 ** 52]) {
    assert.equal(preadTo(engine, fd, address, 16), -EFAULT, `address 0x${address.toString(16)}`);
  }
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('pread64', [fd, 0, 16, 0]);
  chain.setArgPointer(atom, 1, chain.cell(-8n).at);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, -EFAULT, 'a negative (kernel-half) address');
});

test('an unregistered buffer and freed engine memory are outside again', (t) => {
  const engine = new Engine();
  const { fd } = source(t);
  const backing = new Uint8Array(WINDOW).fill(CANARY);
  const region = engine.register(backing);
  assert.equal(engine.unregister(backing), true);
  assert.equal(preadTo(engine, fd, region.start, WINDOW), -EFAULT);
  assert.ok(allCanary(backing));
  const own = engine.alloc(WINDOW);
  const start = own.start;
  assert.equal(preadTo(engine, fd, start, WINDOW), WINDOW);
  engine.free(own);
  assert.equal(preadTo(engine, fd, start, WINDOW), -EFAULT);
});

test('another engine\'s memory is outside this engine', (t) => {
  const engine = new Engine();
  const other = new Engine();
  const { fd } = source(t);
  const foreign = other.alloc(WINDOW);
  foreign.bytes.fill(CANARY);
  assert.equal(preadTo(engine, fd, foreign.start, WINDOW), -EFAULT);
  assert.ok(allCanary(foreign.bytes));
});

test('iovec buffers are confined too', (t) => {
  const engine = new Engine();
  const { fd } = source(t);
  const outside = Buffer.alloc(WINDOW, CANARY);
  using chain = new ChainBuilder(engine.memory);
  const inside = chain.buffer(64);
  const iov = chain.buffer(32);
  const view = new DataView(iov.bytes.buffer, iov.bytes.byteOffset, 32);
  view.setBigUint64(0, BigInt(inside.at), true);
  view.setBigUint64(8, 64n, true);
  view.setBigUint64(16, BigInt(addressOf(outside)), true);
  view.setBigUint64(24, BigInt(WINDOW), true);
  const atom = chain.atom('preadv', [fd, iov, 2, 0, 0]);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, -EFAULT);
  assert.ok(allCanary(outside));
  assert.ok(inside.bytes.every((byte) => byte === 0), 'the confined iovec was not filled either: the call never ran');
});

test('a ret_ptr outside engine memory: the atom is not run and nothing is written', () => {
  const engine = new Engine();
  const outside = Buffer.alloc(64, CANARY);
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(1);
  const atom = chain.atom('umem_add', [counter.ref, 1]);
  const after = chain.atom('getpid', []);
  chain.setField(atom, 'ret_ptr', addressOf(outside) + 8);
  const done = engine.runChainSync(chain.first);
  assert.equal(counter.value, 1, 'umem_add never ran');
  assert.ok(allCanary(outside));
  assert.equal(done.stop, STOP.fault);
  assert.equal(done.result, -EFAULT);
  assert.equal(done.last, atom.at);
  assert.equal(after.result.value, 0, 'the chain stopped');
});

test('an arg_ptr outside engine memory is -EFAULT', () => {
  const engine = new Engine();
  const outside = Buffer.alloc(64, CANARY);
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(1);
  const atom = chain.atom('umem_add', [counter.ref, 1]);
  chain.setArgPointer(atom, 1, addressOf(outside));
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, -EFAULT);
  assert.equal(counter.value, 1);
  assert.ok(allCanary(outside));
});
