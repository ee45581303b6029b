/**
 * FileHandle.write (and writev) of more bytes than one call takes (Linux's MAX_RW_COUNT,
 * 2,147,479,552) writes them all, as Node's does: libuv's uv__fs_write_all goes on after a short
 * write. syslet-aio/fs answered the one call's count: a write of 2,147,483,000 bytes to /dev/null
 * resolved with 2,147,479,552 (found by hunt19). Below 2^31 bytes so that Node's own count does
 * not overflow (Node answers a negative bytesWritten past 2^31 - 1); the Buffer is never touched,
 * so its pages stay unallocated.
 */
import { test } from 'node:test';
import { sameOnBoth, withHandle } from './helpers/fs-implementations.js';

const SIZE = 2_147_483_000;

test('write and writev past MAX_RW_COUNT bytes write them all, as Node', { timeout: 60_000 }, async () => {
  const big = Buffer.alloc(SIZE);
  await sameOnBoth(async (fs) => (await withHandle(fs, '/dev/null', 'w', (handle) => handle.write(big))).bytesWritten, undefined, 'write');
  await sameOnBoth(async (fs) => (await withHandle(fs, '/dev/null', 'w', (handle) => handle.write(big, 1000, SIZE - 1000, 5))).bytesWritten, undefined, 'write with offset, length, position');
  await sameOnBoth(async (fs) => (await withHandle(fs, '/dev/null', 'w', (handle) => handle.writev([big]))).bytesWritten, undefined, 'writev of one buffer');
  await sameOnBoth(async (fs) => (await withHandle(fs, '/dev/null', 'w', (handle) => handle.writev([big.subarray(0, 10), big.subarray(10)], 0))).bytesWritten, undefined, 'writev of two buffers at a position');
});
