// The executor keeps each atom it ran decoded (engine/atom-decode.ts), so that a canned chain run
// again is not decoded again. Anything may rewrite an atom's words between two runs — another
// chain's umem_add or read buffer aimed at engine memory, or the program through a region's
// DataView — and the next run must see the new words: here a POSIX aio.read instance, run once
// (decoded), then rewritten, runs getpid instead of pread64, or reads a different argument cell.
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM } from '../engine/atom.js';
import { NR } from '../engine/syscalls/nr.js';
import { aioRead } from '../plugins/builtin/aio.js';
import type { PluginInstance } from '../plugins/instance.js';
import { freshFile, tempDir } from './helpers/engine.js';

const CONTENT = new TextEncoder().encode('decoded atoms are checked against their words on every run');

/** An aio.read instance reading the first `nbytes` of `fd` into engine memory; run once so that it is decoded. */
function decodedRead(engine: Engine, fd: number, nbytes: number): { instance: PluginInstance; status: { at: number; view: DataView } } {
  const status = engine.memory.allocate(64);
  const buffer = engine.memory.allocate(4096);
  const instance = aioRead.acquire(engine);
  instance.setParams({ fd, buf: buffer.start, nbytes, offset: 0, error_code: status.start, return_value: status.start + 8, width: 8 });
  for (let run = 0; run < 3; run++) {
    instance.reset();
    const done = engine.runChainSync(instance.first);
    assert.equal(done.atoms, 2);
    assert.equal(instance.result(0), nbytes, `run ${run} read ${nbytes} bytes`);
  }
  return { instance, status: { at: status.start, view: status.view } };
}

function openContent(t: TestContext): number {
  const path = freshFile(tempDir(t), 'content.txt', CONTENT);
  const fd = openSync(path, 'r');
  t.after(() => closeSync(fd));
  return fd;
}

test('a chain\'s umem_add that changes a decoded atom\'s call number is seen by its next run', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const { instance, status } = decodedRead(engine, openContent(t), 10);
  using chain = new ChainBuilder(engine.memory);
  const add = chain.atom('umem_add', [{ address: instance.first + ATOM.nr }, NR.getpid - NR.pread64]);
  engine.runChainSync(chain.first);
  assert.equal(add.result.value, NR.getpid);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), process.pid, 'the first atom ran getpid');
  assert.equal(status.view.getBigInt64(8, true), BigInt(process.pid), 'aio_status published getpid\'s result');
});

test('a kernel read into a decoded atom (another chain\'s pread64 buffer) is seen by its next run', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const { instance } = decodedRead(engine, openContent(t), 10);
  // A file holding the little-endian word getpid's number: read over the atom's nr.
  const word = new Uint8Array(8);
  new DataView(word.buffer).setUint32(0, NR.getpid, true);
  const wordFd = openSync(freshFile(tempDir(t), 'nr.bin', word), 'r');
  t.after(() => closeSync(wordFd));
  using chain = new ChainBuilder(engine.memory);
  const read = chain.atom('pread64', [wordFd, { address: instance.first + ATOM.nr }, 8, 0]);
  engine.runChainSync(chain.first);
  assert.equal(read.result.value, 8);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), process.pid);
});

test('the program\'s own store into a decoded atom\'s argument pointer is seen by its next run', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const { instance } = decodedRead(engine, openContent(t), 10);
  // Point pread64's nbytes argument (the third) at a cell of our own holding 25.
  const cell = engine.memory.allocate(8);
  cell.view.setUint32(0, 25, true);
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  const at = instance.first - region.start + ATOM.arg_ptr + 2 * 8;
  region.view.setUint32(at, cell.start % 2 ** 32, true);
  region.view.setUint32(at + 4, Math.floor(cell.start / 2 ** 32), true);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), 25, 'pread64 read the new cell\'s count');
  // And the cell's value is read when the atom runs, not when it was decoded.
  cell.view.setUint32(0, 7, true);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), 7);
});

test('a decoded atom whose cell region is released faults on its next run instead of using the region it kept', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const { instance } = decodedRead(engine, openContent(t), 10);
  const cell = engine.memory.allocate(8);
  cell.view.setUint32(0, 12, true);
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  const at = instance.first - region.start + ATOM.arg_ptr + 2 * 8;
  region.view.setUint32(at, cell.start % 2 ** 32, true);
  region.view.setUint32(at + 4, Math.floor(cell.start / 2 ** 32), true);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), 12);
  engine.memory.release(cell);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), -14, 'EFAULT: the argument cell is no longer engine memory');
});

test('a decoded atom\'s zero word given only its top bit (2^63, a double\'s -0) is seen by its next run', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const { instance } = decodedRead(engine, openContent(t), 10);
  const region = engine.memory.find(instance.first, ATOM.size);
  assert.ok(region !== null);
  // pread64 has four arguments: the fifth pointer is the NULL that ends them. As a double its
  // word 2^63 is -0, which equals 0: the words must still be compared as bits.
  const at = instance.first - region.start + ATOM.arg_ptr + 4 * 8;
  assert.equal(region.view.getBigUint64(at, true), 0n);
  region.view.setUint32(at + 4, 0x80000000, true);
  instance.reset();
  engine.runChainSync(instance.first);
  assert.equal(instance.result(0), -14, 'EFAULT: the fifth argument pointer is not engine memory');
});
