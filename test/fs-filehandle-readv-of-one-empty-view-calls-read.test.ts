/**
 * FileHandle.readv/writev of one buffer make one read(2)/pread64(2) (write/pwrite64), as libuv
 * does for Node, not a readv: the two differ where the buffer is empty. On a directory handle,
 * readv([empty]) fails with EISDIR (syscall 'read') on both implementations, where readv(2) of
 * one empty iovec answers 0. Found by the fs differential fuzz in CI (seed 88216176 case 34:
 * `readv([Int32Array(0)], -1n)` on a handle of ".").
 */
import { test } from 'node:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, withHandle } from './helpers/fs-implementations.js';

test('readv and writev of one empty view answer as read(2)/write(2), on a directory and a file', async (t) => {
  const dir = join(scratch(t), 'd');
  mkdirSync(dir);
  const file = join(dir, 'f');
  const reset = (): void => writeFileSync(file, 'abcdef');
  reset();
  const views = (): NodeJS.ArrayBufferView[] => [new Int32Array(0), Buffer.alloc(0), new DataView(new ArrayBuffer(0))];
  for (const position of [undefined, null, 0, 3, -1, -1n]) {
    const at = position as number;
    for (const index of [0, 1, 2]) {
      const empty = (): NodeJS.ArrayBufferView[] => [views()[index]!];
      await sameOnBoth((fs) => withHandle(fs, dir, 'r', (handle) => handle.readv(empty(), at)), reset, `directory readv([empty ${index}], ${String(position)})`);
      await sameOnBoth((fs) => withHandle(fs, file, 'r', (handle) => handle.readv(empty(), at)), reset, `file readv([empty ${index}], ${String(position)})`);
      await sameOnBoth((fs) => withHandle(fs, file, 'r', (handle) => handle.writev(empty(), at)), reset, `read-only file writev([empty ${index}], ${String(position)})`);
    }
    await sameOnBoth((fs) => withHandle(fs, file, 'r+', async (handle) => {
      const read = await handle.readv([Buffer.alloc(4)], at);
      const written = await handle.writev([Buffer.from('xy')], at);
      return { read, written };
    }), reset, `file readv/writev of one buffer at ${String(position)}`);
  }
});
