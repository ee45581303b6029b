/**
 * FileHandle.write (a view or a string) and writev at a position that is not a safe integer —
 * 2^53, 1.5, NaN, Infinity — write at the file position, as node:fs/promises's do: Node's binding
 * gives libuv -1 for any such number (node_file.cc's GetOffset), where syslet-aio/fs wrote at
 * 2^53 (EFBIG) or at 1 for 1.5. A negative safe integer writes at the file position on both.
 * Found by the fs differential fuzz (test/fuzz/fs-api.ts, seed 12 cases 893 and 965, seed 11
 * case 1931).
 */
import { test } from 'node:test';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, type FsPromises } from './helpers/fs-implementations.js';

type Handle = Awaited<ReturnType<FsPromises['open']>>;

test('write and writev at 2^53, 1.5, NaN, Infinity or -2 write at the file position', async (t) => {
  const file = join(scratch(t), 'f');
  const reset = (): void => writeFileSync(file, 'abcdefgh');
  const calls: [string, (h: Handle, position: number) => Promise<unknown>][] = [
    ['write(view)', (h, position) => h.write(Buffer.from('XY'), 0, 2, position)],
    ['write(string)', (h, position) => h.write('XY', position, 'utf8')],
    ['writev', (h, position) => h.writev([Buffer.from('X'), new Uint8Array([0x59])], position)],
  ];
  for (const position of [2 ** 53, 1.5, NaN, Infinity, -2]) {
    for (const [label, call] of calls) {
      await sameOnBoth(async (fs) => {
        const handle = await fs.open(file, 'r+');
        try {
          // Move the file position first: a write "at the file position" lands at 3.
          await handle.read(Buffer.alloc(3), 0, 3, null);
          const written = await call(handle, position);
          return [written, readFileSync(file, 'latin1')];
        } finally {
          await handle.close();
        }
      }, reset, `${label} at ${position}`);
    }
  }
});
