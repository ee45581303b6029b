// A read at the file position (read(2), readv) whose RWF_NOWAIT probe stops short at the first
// uncached page, and whose rest would block, returns what the blocking call returns: every byte
// up to the end of the file, with the file position moved by exactly that much. (Fuzz campaign,
// seed 1182217503 case 2342: a readv after a pwritev2 with RWF_DONTCACHE answered 8,192 of 8,224
// bytes, because a read at the file position cannot be made again once the position has moved,
// and the probe answered what it had.) Here the tail of the file is pushed out of the page cache
// with POSIX_FADV_DONTNEED — megabytes of it, so that the read-ahead each RWF_NOWAIT read starts
// cannot keep up with the reads that follow it — and each result is compared with the same read
// made directly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync } from 'node:fs';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { freshFile, patternBytes, tempDir } from './helpers/engine.js';

const CACHED = 8192;
const SIZE = 8 * 1024 * 1024 + 32;
const POSIX_FADV_DONTNEED = 4;
const SEEK_CUR = 1;

for (const call of ['read', 'readv'] as const) {
  test(`${call} at the file position whose rest would block returns every byte, as the direct call`, async (t) => {
    const engine = new Engine({ threads: 2 });
    t.after(() => engine.close());
    const content = patternBytes(SIZE, 7);
    const path = freshFile(tempDir(t), `${call}.bin`, content);
    const fd = openSync(path, 'r');
    t.after(() => closeSync(fd));
    const buffer = engine.memory.allocate(SIZE + 4096);
    const iov = engine.memory.allocate(32);
    // Two iovecs, the first ending inside the uncached part, so readv's rest spans both.
    iov.view.setBigUint64(0, BigInt(buffer.start), true);
    iov.view.setBigUint64(8, BigInt(CACHED + 100), true);
    iov.view.setBigUint64(16, BigInt(buffer.start + CACHED + 100), true);
    iov.view.setBigUint64(24, BigInt(SIZE + 4096 - CACHED - 100), true);
    // Cache the first pages, push out the rest (written back first: only clean pages go), so
    // the probe stops at CACHED.
    using prepare = new ChainBuilder(engine.memory);
    const synced = prepare.atom('fsync', [fd]);
    const warm = prepare.atom('pread64', [fd, { address: buffer.start }, CACHED, 0]);
    const dropped = prepare.atom('fadvise64', [fd, CACHED, 0, POSIX_FADV_DONTNEED]);
    engine.runChainSync(prepare.first);
    assert.equal(synced.result.value, 0);
    assert.equal(warm.result.value, CACHED);
    assert.equal(dropped.result.value, 0, 'fadvise(DONTNEED) answered 0');
    buffer.bytes.fill(0);

    using chain = new ChainBuilder(engine.memory);
    const read = call === 'read'
      ? chain.atom('read', [fd, { address: buffer.start }, SIZE + 4096])
      : chain.atom('readv', [fd, { address: iov.start }, 2]);
    const position = chain.atom('lseek', [fd, 0, SEEK_CUR]);
    const done = await engine.runChain(chain.first);
    t.diagnostic(`mode ${done.mode}`);
    assert.equal(read.result.value, SIZE, `${call} returned every byte to the end of the file`);
    assert.equal(position.result.value, SIZE, 'the file position moved by exactly what was returned');
    assert.deepEqual(buffer.bytes.subarray(0, SIZE), content);

    // The same read made directly, from the start, for the differential.
    const direct = openSync(path, 'r');
    t.after(() => closeSync(direct));
    const expected = Buffer.alloc(SIZE + 4096);
    assert.equal(readSync(direct, expected, 0, SIZE + 4096, null), read.result.value);
  });
}
