// The syslet loop from Ingo's patches: a whole file read in one submission, the loop counter kept
// in user memory by umem_add. Layout (SKIP_TO_NEXT_ON_STOP needs the exit right after pread64):
//
//   [openat] → [pread64: STOP_ON_NON_POSITIVE | SKIP_TO_NEXT_ON_STOP, next = umem_add]
//              [close]          ← pread64 + 88: where the loop exits at EOF (0) or error (< 0)
//              [umem_add(offset.ref, pread64's result), next = pread64]
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, STOP, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NON_POSITIVE } from '../engine/atom.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const AT_FDCWD = -100;
const O_RDONLY = 0;
const CHUNK = 4096;

function readLoop(engine: Engine, path: string) {
  const chain = new ChainBuilder(engine.memory, { dataBytes: CHUNK + 1024 });
  const offset = chain.cell(0);
  const buffer = chain.buffer(CHUNK);
  const open = chain.atom('openat', [AT_FDCWD, chain.cstring(path), O_RDONLY, 0]);
  const pread = chain.atom('pread64', [open, buffer, CHUNK, offset], { flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP });
  const close = chain.atom('close', [open]);
  const add = chain.atom('umem_add', [offset.ref, pread]);
  chain.link(pread, add);
  chain.link(close, null);
  chain.link(add, pread);
  assert.equal(close.at, pread.at + ATOM.size);
  return { chain, offset, buffer, open, pread, close, add };
}

test('a file is read to EOF by one submission, the offset kept by umem_add', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const size = 3 * CHUNK + 1808;
  const content = patternBytes(size);
  const path = freshFile(tempDir(t), 'data.bin', content);
  const loop = readLoop(engine, path);
  t.after(() => loop.chain[Symbol.dispose]());
  const done = engine.runChainSync(loop.chain.first);
  assert.equal(done.stop, STOP.end);
  assert.equal(done.last, loop.close.at, 'the chain ends at close');
  assert.equal(done.result, 0);
  assert.ok(Number(loop.open.result.value) >= 0, `openat gave ${loop.open.result.value}`);
  assert.equal(loop.pread.result.value, 0, 'the last pread64 saw EOF');
  assert.equal(loop.offset.value, size, 'umem_add advanced the offset by every chunk');
  assert.equal(loop.add.result.value, size, 'umem_add returns the new offset');
  // openat + 5 × pread64 (4 with data, one at EOF) + 4 × umem_add + close.
  assert.equal(done.atoms, 1 + 5 + 4 + 1);
  assert.deepEqual(loop.buffer.bytes.subarray(0, 1808), content.subarray(3 * CHUNK), 'the buffer holds the last chunk');
});

test('an empty file leaves the loop at once', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const path = freshFile(tempDir(t), 'empty.bin', new Uint8Array(0));
  const loop = readLoop(engine, path);
  t.after(() => loop.chain[Symbol.dispose]());
  const done = engine.runChainSync(loop.chain.first);
  assert.equal(done.atoms, 3);
  assert.equal(loop.offset.value, 0);
  assert.equal(loop.add.result.value, 0, 'umem_add never ran');
  assert.equal(done.last, loop.close.at);
});

test('a read error leaves the loop like EOF does, and close reports the bad fd', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const loop = readLoop(engine, join(tempDir(t), 'missing'));
  t.after(() => loop.chain[Symbol.dispose]());
  const done = engine.runChainSync(loop.chain.first);
  assert.equal(loop.open.result.value, -2, 'openat: ENOENT');
  assert.equal(loop.pread.result.value, -9, 'pread64(-ENOENT as fd): EBADF');
  assert.equal(loop.close.result.value, -9);
  assert.equal(done.atoms, 3);
  assert.equal(loop.offset.value, 0);
});
