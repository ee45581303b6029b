/**
 * FileHandle.write and writev of more than a request's slot holds (64 KiB) to a regular file,
 * which syslet-aio/fs makes through node:fs's own write and writev (fs/write-node.ts), on
 * node:fs/promises and on syslet-aio/fs: the same bytes in the same places and the same results
 * and errors — at a position, at the file position (null: after a read moved it, twice in a row),
 * on append handles ('a' write-only, 'a+'), at an unsafe position (the file position), writev of
 * large views, and a write on a handle open for reading only (EBADF, syscall 'write', no path).
 */
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, withHandle, type FsPromises } from './helpers/fs-implementations.js';

type Handle = Awaited<ReturnType<FsPromises['open']>>;

/** Past a request's slot (64 KiB): the caller's buffer is the write's. */
const LARGE = 200_000;

/** A buffer of `length` bytes whose content tells where in it a byte came from. */
function pattern(length: number, seed: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + seed) & 0xff;
  return bytes;
}

test('large writes and writevs at positions, at the file position and on append handles land, and fail, as Node\'s', async (t) => {
  const dir = scratch(t, 'fs-large-writes-node');
  const file = join(dir, 'out');
  const reset = () => writeFileSync(file, 'head\n');
  const one = pattern(LARGE, 1);
  const two = pattern(LARGE + 3, 2);
  const cases: Record<string, [flags: string, body: (handle: Handle) => Promise<unknown>]> = {
    'at a position past the end': ['r+', async (h) => (await h.write(one, 0, LARGE, 100_000)).bytesWritten],
    'an offset and length inside the buffer': ['r+', async (h) => (await h.write(two, 3, LARGE - 7, 1)).bytesWritten],
    'at the file position after a read, twice': ['r+', async (h) => {
      await h.read(Buffer.alloc(2), 0, 2, null);
      return [(await h.write(one, 0, LARGE, null)).bytesWritten, (await h.write(two)).bytesWritten, (await h.read(Buffer.alloc(4), 0, 4, null)).bytesRead];
    }],
    'at an unsafe position (the file position)': ['r+', async (h) => (await h.write(one, 0, LARGE, 2 ** 53)).bytesWritten],
    'options object': ['r+', async (h) => (await h.write(two, { offset: 5, length: LARGE, position: 9 } as never)).bytesWritten],
    'write-only append handle, null and a position': ['a', async (h) => [(await h.write(one, 0, LARGE, null)).bytesWritten, (await h.write(two, 0, LARGE, 0)).bytesWritten]],
    '"a+" then a read at the file position': ['a+', async (h) => [(await h.write(one)).bytesWritten, (await h.read(Buffer.alloc(8), 0, 8, null)).bytesRead]],
    'writev of large views, positioned and not': ['r+', async (h) => [(await h.writev([one, two], 3)).bytesWritten, (await h.writev([two, Buffer.alloc(0), one])).bytesWritten]],
    'writev on an append handle': ['a', async (h) => (await h.writev([one, two])).bytesWritten],
    'concurrent positioned writes': ['r+', (h) => Promise.all([0, 1, 2, 3].map(async (i) => (await h.write(i % 2 === 0 ? one : two, 0, LARGE, i * LARGE)).bytesWritten))],
    'a write on a handle open for reading': ['r', (h) => h.write(one, 0, LARGE, 0)],
    'a write at the file position on a handle open for reading': ['r', (h) => h.write(one)],
    'a writev on a handle open for reading': ['r', (h) => h.writev([one, two], 0)],
  };
  for (const [name, [flags, body]] of Object.entries(cases)) {
    await sameOnBoth(async (fs) => {
      const value = await withHandle(fs, file, flags, body);
      return [value, readFileSync(file)];
    }, reset, name);
  }
});
