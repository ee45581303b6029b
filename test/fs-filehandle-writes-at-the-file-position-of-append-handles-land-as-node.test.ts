/**
 * Writes at the file position (position null or left out) through handles opened for appending,
 * on node:fs/promises and on syslet-aio/fs: the same bytes in the same places, the same results
 * and errors. A write-only append handle on a regular file makes them as positional writes at
 * offset 0, which Linux appends (fs/handle-io.ts HandleIo.appendsAnywhere); this pins what must
 * not change with that: another writer's appends and a truncation in between, an explicit
 * position (appended too), writev, a stream on the handle, 'a+' (whose reads at the file position
 * follow its writes), numeric flags, a character device, and a read refused with EBADF.
 */
import { test } from 'node:test';
import { appendFileSync, readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { constants } from 'node:fs';
import { sameOnBoth, scratch, withHandle, type FsPromises } from './helpers/fs-implementations.js';

type Handle = Awaited<ReturnType<FsPromises['open']>>;

test('write, writev and a write stream at the file position of "a", "as", "a+" and numeric append handles', async (t) => {
  const dir = scratch(t, 'fs-append-null');
  const file = join(dir, 'log');
  const reset = () => writeFileSync(file, 'head\n');
  const cases: Record<string, [flags: string | number, body: (handle: Handle) => Promise<unknown>]> = {
    'write at null, another append, write(string)': ['a', async (h) => {
      const first = await h.write(Buffer.from('one\n'), 0, 4, null);
      appendFileSync(file, 'other\n');
      const second = await h.write('two\n');
      return [first.bytesWritten, second.bytesWritten];
    }],
    'a truncation between two writes': ['a', async (h) => {
      await h.write('one\n');
      truncateSync(file, 2);
      return (await h.write('two\n')).bytesWritten;
    }],
    'an explicit position, appended by Linux': ['a', async (h) => (await h.write(Buffer.from('pos\n'), 0, 4, 1)).bytesWritten],
    'writev at null and left out': ['a', async (h) => [(await h.writev([Buffer.from('a'), Buffer.from('b\n')])).bytesWritten, (await h.writev([Buffer.from('c\n')], null as never)).bytesWritten]],
    'writes of many concurrent writers': ['a', async (h) => {
      await Promise.all(Array.from({ length: 8 }, async (_, w) => {
        for (let i = 0; i < 20; i++) await h.write(`w${w}-${i}\n`);
      }));
    }],
    // (It closes the handle: with autoClose false, Node 20.20's own handle never settles close().)
    'a write stream on the handle': ['a', (h) => new Promise<void>((resolve, reject) => {
      const stream = h.createWriteStream();
      stream.on('error', reject);
      stream.on('close', resolve);
      stream.write('s1\n');
      stream.end('s2\n');
    })],
    '"as"': ['as', async (h) => (await h.write('sync\n')).bytesWritten],
    'numeric O_WRONLY|O_APPEND': [constants.O_WRONLY | constants.O_APPEND, async (h) => (await h.write('num\n')).bytesWritten],
    'a read refused': ['a', (h) => h.read(Buffer.alloc(4), 0, 4, null)],
    '"a+": a read at the file position after a write': ['a+', async (h) => {
      await h.write('plus\n');
      const first = await h.read(Buffer.alloc(8), 0, 8, null);
      const atZero = await h.read(Buffer.alloc(4), 0, 4, 0);
      await h.write('more\n');
      const after = await h.read(Buffer.alloc(8), 0, 8, null);
      return [first.bytesRead, atZero.buffer.toString(), after.bytesRead];
    }],
  };
  for (const [name, [flags, body]] of Object.entries(cases)) {
    await sameOnBoth(async (fs) => {
      const value = await withHandle(fs, file, flags as string, body);
      const content = readFileSync(file, 'utf8');
      // Concurrent writers' lines land in any order, with either implementation: each exactly once.
      return [value, name.startsWith('writes of many') ? content.split('\n').sort() : content];
    }, reset, name);
  }
  await sameOnBoth((fs) => withHandle(fs, '/dev/null', 'a', async (h) => [(await h.write('x')).bytesWritten, (await h.writev([Buffer.from('yz')])).bytesWritten]), undefined, '/dev/null');
});
