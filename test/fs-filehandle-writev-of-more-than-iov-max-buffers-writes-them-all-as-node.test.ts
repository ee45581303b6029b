/**
 * FileHandle.writev of more than IOV_MAX (1,024) buffers writes every buffer, as Node's does:
 * libuv's uv__fs_write_all passes IOV_MAX buffers to one pwritev/writev and goes on with the
 * rest. syslet-aio/fs made the one call and answered its count: writev of 5,000 two-byte
 * buffers wrote the first 1,024 (2,048 bytes of 10,000) and resolved `{ bytesWritten: 2048 }`,
 * silently dropping the rest, at a position and at the file position, on both engines (found by
 * hunt19 comparing 0 to 5,000 buffers with node:fs/promises). A read is one call in both (a
 * short read is a read), so readv past IOV_MAX is compared too.
 */
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, withHandle } from './helpers/fs-implementations.js';

const COUNTS = [1023, 1024, 1025, 2048, 5000];
const bufferList = (count: number): Buffer[] => Array.from({ length: count }, (_, i) => Buffer.from([i & 255, (i >> 8) & 255]));

test('writev of more than IOV_MAX buffers writes them all, at a position and at the file position, as Node', { timeout: 120_000 }, async (t) => {
  const file = join(scratch(t, 'writev-iov-max'), 'f');
  for (const count of COUNTS) {
    for (const position of [undefined, 10]) {
      await sameOnBoth(
        async (fs) => {
          const written = await withHandle(fs, file, 'r+', (handle) => handle.writev(bufferList(count), position));
          return { bytesWritten: written.bytesWritten, file: readFileSync(file).toString('hex') };
        },
        () => writeFileSync(file, 'head'),
        `writev of ${count} buffers at ${position ?? 'the file position'}`,
      );
    }
  }
});

test('readv of more than IOV_MAX buffers reads what one call reads, as Node', { timeout: 120_000 }, async (t) => {
  const file = join(scratch(t, 'readv-iov-max'), 'src');
  writeFileSync(file, Buffer.from(Array.from({ length: 20_000 }, (_, i) => i & 255)));
  for (const count of COUNTS) {
    await sameOnBoth(async (fs) => {
      const buffers = Array.from({ length: count }, () => Buffer.alloc(3));
      const read = await withHandle(fs, file, 'r', (handle) => handle.readv(buffers, 7));
      return { bytesRead: read.bytesRead, data: Buffer.concat(buffers).toString('hex') };
    }, undefined, `readv of ${count} buffers`);
  }
});
