// A read or write that moves more than INLINE_COPY_BYTES is never made on the event loop's
// thread, however cached its data: copying 200 MB in one inline preadv2(RWF_NOWAIT) held the
// loop for 171-178 ms (a user's readFile of a cached file; Node's longest gap was 3.6-9 ms). Such
// a call goes to the cachemiss engine whole (with io_uring, IOSQE_ASYNC: an io-wq worker copies),
// and answers what the same syscall made directly answers; a call of the limit or less still
// ends inline. pread64, preadv and pwrite64, against the bytes of the file itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { INLINE_COPY_BYTES } from '../engine/probe.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const LARGE = INLINE_COPY_BYTES + 4096;

test('reads and writes past the inline limit go to the cachemiss engine and answer as the syscall; smaller ones stay inline', async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const dir = tempDir(t);
  const content = patternBytes(2 * LARGE, 5);
  const path = freshFile(dir, 'cached.bin', content);
  const fd = openSync(path, 'r');
  t.after(() => closeSync(fd));
  const out = openSync(freshFile(dir, 'out.bin', new Uint8Array(0)), 'r+');
  t.after(() => closeSync(out));
  const buffer = engine.memory.allocate(LARGE);
  const iov = engine.memory.allocate(32);
  iov.view.setBigUint64(0, BigInt(buffer.start), true);
  iov.view.setBigUint64(8, BigInt(LARGE / 2), true);
  iov.view.setBigUint64(16, BigInt(buffer.start + LARGE / 2), true);
  iov.view.setBigUint64(24, BigInt(LARGE / 2), true);
  // Every page cached first (the small read below must stay inline).
  readFileSync(path);

  const run = async (call: string, args: Parameters<ChainBuilder['atom']>[1]): Promise<{ value: number; mode: string }> => {
    using chain = new ChainBuilder(engine.memory);
    const atom = chain.atom(call, args);
    const done = await engine.runChain(chain.first);
    return { value: Number(atom.result.value), mode: done.mode };
  };

  const large = await run('pread64', [fd, { address: buffer.start }, LARGE, 4096]);
  assert.deepEqual(large, { value: LARGE, mode: 'cachemiss' }, 'a large cached pread64 is not made inline');
  assert.deepEqual(buffer.bytes.subarray(0, LARGE), content.subarray(4096, 4096 + LARGE));

  buffer.bytes.fill(0);
  const vector = await run('preadv', [fd, { address: iov.start }, 2, 0, 0]);
  assert.deepEqual(vector, { value: LARGE, mode: 'cachemiss' }, 'a large cached preadv is not made inline');
  assert.deepEqual(buffer.bytes.subarray(0, LARGE), content.subarray(0, LARGE));

  const write = await run('pwrite64', [out, { address: buffer.start }, LARGE, 0]);
  assert.deepEqual(write, { value: LARGE, mode: 'cachemiss' }, 'a large write is not made inline');

  const small = await run('pread64', [fd, { address: buffer.start }, INLINE_COPY_BYTES, 0]);
  assert.deepEqual(small, { value: INLINE_COPY_BYTES, mode: 'inline' }, 'a cached read of the limit stays inline');
  assert.deepEqual(buffer.bytes.subarray(0, INLINE_COPY_BYTES), content.subarray(0, INLINE_COPY_BYTES));
});
