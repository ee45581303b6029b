/**
 * FileHandle.readv([]) fails with EINVAL (syscall 'read'), as node:fs/promises's does: Node hands
 * zero buffers to libuv's uv_fs_read, which refuses them, where readv(2) with no iovecs would
 * answer 0. writev([]) answers 0 bytes written on both (Node returns before the call). Found by
 * the fs differential fuzz (test/fuzz/fs-api.ts, seed 1 case 36).
 */
import { test } from 'node:test';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, withHandle } from './helpers/fs-implementations.js';

test('readv of no buffers fails with EINVAL at any position; writev of none writes 0', async (t) => {
  const file = join(scratch(t), 'f');
  const reset = (): void => writeFileSync(file, 'abcdef');
  for (const position of [undefined, null, 0, 3, -1]) {
    await sameOnBoth((fs) => withHandle(fs, file, 'r+', (handle) => handle.readv([], position as number)), reset, `readv([], ${String(position)})`);
    await sameOnBoth((fs) => withHandle(fs, file, 'r+', (handle) => handle.writev([], position as number)), reset, `writev([], ${String(position)})`);
  }
});
