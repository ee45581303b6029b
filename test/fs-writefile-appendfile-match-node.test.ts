/**
 * writeFile and appendFile, on node:fs/promises and on syslet-aio/fs: the same file contents,
 * modes and errors, field by field. Behaviours ported from Node's
 * test/parallel/test-fs-promises-writefile.js (buffers, iterables, async iterables and streams,
 * invalid data, an abort on the next tick, appendFile with `flag: null`),
 * test-fs-promises-writefile-typedarray.js and test-fs-append-file-flush.js, plus the sizes around
 * the 64 KiB slot, flags, modes and path errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { IMPLEMENTATIONS, sameOnBoth, scratch, type FsPromises } from './helpers/fs-implementations.js';

/** Run `write` on both implementations and compare the outcome and the file it leaves. */
async function sameFile(file: string, write: (fs: FsPromises) => unknown, before: () => void = () => rmSync(file, { force: true })): Promise<void> {
  const contents: (Buffer | null)[] = [];
  const modes: number[] = [];
  for (const { fs } of IMPLEMENTATIONS) {
    before();
    try {
      await write(fs);
    } catch {
      // The outcomes are compared below.
    }
    let bytes: Buffer | null = null;
    try {
      bytes = readFileSync(file);
      modes.push(statSync(file).mode);
    } catch {
      modes.push(-1);
    }
    contents.push(bytes);
  }
  assert.deepEqual(contents[1], contents[0], 'the same file contents');
  assert.deepEqual(modes[1], modes[0], 'the same mode');
  await sameOnBoth(write, before);
}

test('buffers, strings and typed arrays of every size, around the 64 KiB slot, are written whole', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'out');
  for (const size of [0, 1, 4096, 65536, 65537, 1024 ** 2 + 19]) {
    const bytes = randomBytes(size);
    await sameFile(file, (fs) => fs.writeFile(file, bytes));
  }
  await sameFile(file, (fs) => fs.writeFile(file, 'abc'.repeat(1000)));
  await sameFile(file, (fs) => fs.writeFile(file, 'dogs running'.repeat(20000), 'utf16le'));
  await sameFile(file, (fs) => fs.writeFile(file, new Uint16Array([1, 2, 3, 0xffff])));
  await sameFile(file, (fs) => fs.writeFile(file, new DataView(new ArrayBuffer(10), 2, 5)));
  await sameFile(file, (fs) => fs.writeFile(file, new Float64Array(70000)));
  await sameFile(file, (fs) => fs.writeFile(file, 'with null encoding', { encoding: null }));
});

test('iterables, async iterables and streams are written as Node writes them', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'out');
  await sameFile(file, (fs) => fs.writeFile(file, { *[Symbol.iterator]() { yield 'a'; yield 'b'; yield 'c'; } } as never));
  await sameFile(file, (fs) => fs.writeFile(file, { async *[Symbol.asyncIterator]() { yield Buffer.from('x'); await Promise.resolve(); yield 'y'; } } as never));
  await sameFile(file, (fs) => fs.writeFile(file, Readable.from(['ümlaut', ' ', 'sechzig']), 'latin1'));
  for (const value of [42, 42n, {}, true, undefined, null, NaN]) {
    await sameFile(file, (fs) => fs.writeFile(file, value as never));
  }
});

test('flags and modes: w truncates, wx refuses an existing file, a appends, the mode is applied under the umask', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'out');
  const longer = () => writeFileSync(file, 'a much longer previous content');
  await sameFile(file, (fs) => fs.writeFile(file, 'short'), longer);
  await sameFile(file, (fs) => fs.writeFile(file, 'x', { flag: 'wx' }), longer);
  await sameFile(file, (fs) => fs.writeFile(file, 'x', { flag: 'wx' }));
  await sameFile(file, (fs) => fs.writeFile(file, ' appended', { flag: 'a' }), longer);
  await sameFile(file, (fs) => fs.writeFile(file, 'r+ overwrites in place', { flag: 'r+' }), longer);
  await sameFile(file, (fs) => fs.writeFile(file, 'mode', { mode: 0o600 }));
  await sameFile(file, (fs) => fs.writeFile(file, 'mode', { mode: '640' }));
  await sameFile(file, (fs) => fs.writeFile(file, 'mode', { mode: 'rw' }));
  await sameFile(file, (fs) => fs.writeFile(file, 'flush', { flush: true }));
  await sameFile(file, (fs) => fs.writeFile(file, 'flush', { flush: 'yes' } as never));
  await sameFile(file, (fs) => fs.writeFile(file, 'flag', { flag: 'nope' }));
});

test('appendFile appends, with flag null meaning a, and creates the file', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'log');
  const seeded = () => writeFileSync(file, 'abc'.repeat(1000));
  await sameFile(file, (fs) => fs.appendFile(file, Buffer.from('xyz'.repeat(1000)), { flag: null } as never), seeded);
  await sameFile(file, (fs) => fs.appendFile(file, 'line\n'));
  const large = randomBytes(200_000);
  await sameFile(file, (fs) => fs.appendFile(file, large), seeded);
  await sameFile(file, (fs) => fs.appendFile(file, 'x', 'latin1'), seeded);
});

test('path errors: a missing directory, a directory, a file as a directory, a NUL; all with Node\'s fields', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'x');
  mkdirSync(join(dir, 'sub'));
  await sameOnBoth((fs) => fs.writeFile(join(dir, 'missing', 'x'), 'data'));
  await sameOnBoth((fs) => fs.writeFile(join(dir, 'sub'), 'data'));
  await sameOnBoth((fs) => fs.writeFile(join(dir, 'file', 'x'), 'data'));
  await sameOnBoth((fs) => fs.writeFile(`${dir}/a\0b`, 'data'));
  await sameOnBoth((fs) => fs.appendFile(join(dir, 'sub'), 'data'));
});

test('an AbortSignal aborted before the call or on the next tick rejects with AbortError', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'aborted');
  const reason = new Error('stop');
  await sameOnBoth((fs) => fs.writeFile(file, 'x', { signal: AbortSignal.abort(reason) }));
  const data = randomBytes(100_000);
  await sameOnBoth((fs) => {
    const controller = new AbortController();
    process.nextTick(() => controller.abort(reason));
    return fs.writeFile(file, data, { signal: controller.signal });
  });
  await sameOnBoth((fs) => fs.writeFile(file, 'x', { signal: {} } as never));
});

test('empty data opens and closes without a write (a read-only flag succeeds), with and without flush', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'empty');
  const seeded = () => writeFileSync(file, 'previous content');
  await sameFile(file, (fs) => fs.writeFile(file, '', { flag: 'r' }), seeded);
  await sameFile(file, (fs) => fs.writeFile(file, Buffer.alloc(0), { flag: 'r', flush: true }), seeded);
  await sameFile(file, (fs) => fs.writeFile(file, ''), seeded);
  await sameFile(file, (fs) => fs.writeFile(file, new Uint8Array(0), { flush: true }), seeded);
  await sameFile(file, (fs) => fs.appendFile(file, ''), seeded);
  await sameFile(file, (fs) => fs.writeFile(file, '', { flag: 'r' }));
});

test('a write that fails after the open (ENOSPC on /dev/full, EBADF on a read-only fd) is the write\'s error, with and without flush', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'read-only-open');
  const seeded = () => writeFileSync(file, 'previous content');
  await sameOnBoth((fs) => fs.writeFile('/dev/full', 'x'));
  await sameOnBoth((fs) => fs.writeFile('/dev/full', randomBytes(100_000), { flush: true }));
  await sameOnBoth((fs) => fs.appendFile('/dev/full', 'x'));
  await sameFile(file, (fs) => fs.writeFile(file, 'data', { flag: 'r' }), seeded);
  await sameFile(file, (fs) => fs.writeFile(file, 'data', { flag: 'r', flush: true }), seeded);
});
