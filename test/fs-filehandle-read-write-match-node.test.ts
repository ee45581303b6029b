/**
 * FileHandle.read, write, readv and writev, on node:fs/promises's FileHandle and on
 * syslet-aio/fs's: the same results (null-prototype `{ bytesRead, buffer }` objects, the same
 * buffers), the same file contents and the same argument errors. Ported from Node's
 * test-fs-promises-file-handle-read.js (reads of text and of an empty file, a position past
 * 2^32, read() with no arguments, the zero position after the file position moved, lengths 0 and
 * 1, optional length/null), test-fs-promises-write-optional-params.js (bad first arguments,
 * out-of-range options, the options form), test-fs-promises.js (a null buffer, a zero-length
 * read, write('abc', 0, 'hex')) and test-fs-read-promises-position-validation.mjs (what a bigint
 * position does in promises' read).
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch, withHandle, type FsPromises } from './helpers/fs-implementations.js';

test('read: positional and options forms, null and bigint positions, past the end, zero length, no arguments', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'x.txt');
  const reset = () => writeFileSync(file, 'xyz0123456789');
  const cases: [string, (h: Awaited<ReturnType<FsPromises['open']>>) => Promise<unknown>][] = [
    ['positional', (h) => h.read(Buffer.alloc(11), 0, 11, 0)],
    ['options object', (h) => h.read({ buffer: Buffer.alloc(4), offset: 1, length: 2, position: 3 })],
    ['buffer + options', (h) => h.read(Buffer.alloc(4), { position: 2 })],
    ['no arguments', (h) => h.read().then((r) => [r.bytesRead, r.buffer.length])],
    ['null buffer falls back to 16 KiB', (h) => h.read(null as never, 0, 0, 0).then((r: { bytesRead: number; buffer: Buffer }) => [r.bytesRead, r.buffer.length])],
    ['zero length', (h) => h.read(Buffer.alloc(4), 0, 0, 0)],
    ['past 2^32', (h) => h.read(Buffer.alloc(1), 0, 1, 0xffffffff + 1)],
    ['position null twice moves along', async (h) => [await h.read(Buffer.alloc(3), 0, 3, null), await h.read(Buffer.alloc(3), 0, 3, null)]],
    ['position -1 is the file position', async (h) => [await h.read(Buffer.alloc(2), 0, 2, -1), await h.read(Buffer.alloc(2), 0, 2, -1)]],
    ['a bigint position reads at the file position in promises', async (h) => [await h.read(Buffer.alloc(2), 0, 2, 5n as never), await h.read(Buffer.alloc(2), 0, 2, 5n as never)]],
    ['zero position after moving', async (h) => {
      const out: unknown[] = [];
      for (let i = 0; i < 6; i++) out.push(await h.read({ buffer: Buffer.alloc(1), offset: 0, length: 1, position: i % 3 }));
      return out;
    }],
    ['length undefined and null', async (h) => [await h.read(Buffer.alloc(2), 0, undefined, 0), await h.read(Buffer.alloc(2), 0, null, 0)]],
    ['into a Uint16Array and a DataView', async (h) => [await h.read(new Uint16Array(3), 0, 6, 0), await h.read(new DataView(new ArrayBuffer(8), 2), 0, 4, 1)]],
    ['a large read past one slot', (h) => h.read(Buffer.alloc(200_000), 0, 200_000, 0)],
  ];
  for (const [label, read] of cases) await sameOnBoth((fs) => withHandle(fs, file, 'r', read), reset, label);
  const errors: [string, (h: Awaited<ReturnType<FsPromises['open']>>) => Promise<unknown>][] = [
    ['a number instead of a buffer', (h) => h.read(0 as never, 0, 0, 0)],
    ['an array of options', (h) => h.read([] as never)],
    ['offset past the buffer', (h) => h.read(Buffer.alloc(2), 3, 1, 0)],
    ['negative offset', (h) => h.read(Buffer.alloc(2), -1, 1, 0)],
    ['fractional offset', (h) => h.read(Buffer.alloc(2), 0.5, 1, 0)],
    ['string offset', (h) => h.read(Buffer.alloc(2), '1' as never, 1, 0)],
    ['length past the buffer', (h) => h.read(Buffer.alloc(2), 0, 3, 0)],
    ['negative length', (h) => h.read(Buffer.alloc(2), 0, -1, 0)],
    ['an empty buffer', (h) => h.read(Buffer.alloc(0), 0, 1, 0)],
    ['options.buffer not a buffer', (h) => h.read({ buffer: 'x' as never })],
  ];
  for (const [label, read] of errors) await sameOnBoth((fs) => withHandle(fs, file, 'r', read), reset, label);
});

test('write: buffers with offset/length/position, the options form, strings with position and encoding, bad arguments', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'tmp.txt');
  const buffer = Buffer.from('zyx');
  const reset = () => writeFileSync(file, 'abcdefghijklmnopqrstuvwxyz');
  const writes: [string, (h: Awaited<ReturnType<FsPromises['open']>>) => Promise<unknown>][] = [
    ['buffer at the file position', (h) => h.write(buffer)],
    ['offset, length, position', (h) => h.write(Buffer.from('0123456789'), 2, 5, 10)],
    ['options', (h) => h.write(buffer, { offset: 1, length: 1, position: 5 } as never)],
    ['options with position -1 and null', async (h) => [await h.write(buffer, { length: 1, position: -1, offset: 2 } as never), await h.write(buffer, { position: null } as never)]],
    ['string', (h) => h.write('hello')],
    ['string at a position', (h) => h.write('hello', 3)],
    ['string in hex', (h) => h.write('abcd', 0, 'hex')],
    ['string in latin1', (h) => h.write('é', 1, 'latin1')],
    ['a typed array', (h) => h.write(new Uint32Array([0x41424344]), 0, 4, 2)],
    ['an empty buffer', (h) => h.write(Buffer.alloc(0))],
    ['a large buffer past one slot', (h) => h.write(Buffer.alloc(150_000, 0x61), 0, 150_000, 7)],
  ];
  for (const [label, write] of writes) {
    await sameOnBoth(async (fs) => [await withHandle(fs, file, 'r+', write), readFileSync(file)], reset, label);
  }
  const bad: [string, (h: Awaited<ReturnType<FsPromises['open']>>) => Promise<unknown>][] = [
    ['no arguments', (h) => (h.write as () => Promise<unknown>)()],
    ['odd hex string', (h) => h.write('abc', 0, 'hex')],
    ['length past the buffer', (h) => h.write(buffer, { length: 5 } as never)],
    ['offset past the buffer', (h) => h.write(buffer, { offset: 5 } as never)],
    ['offset + length past the buffer', (h) => h.write(buffer, { length: 1, offset: 3 } as never)],
    ['negative length', (h) => h.write(buffer, { length: -1 } as never)],
    ['negative offset', (h) => h.write(buffer, { offset: -1 } as never)],
    ['boolean offset', (h) => h.write(buffer, { offset: true } as never)],
  ];
  for (const [label, write] of bad) await sameOnBoth((fs) => withHandle(fs, file, 'r+', write), reset, label);
  for (const value of [undefined, null, true, 42, 42n, NaN, [], {}, { buffer: 'x' }, new Date(), new String('x'), { toString: () => 'x' }]) {
    await sameOnBoth((fs) => withHandle(fs, file, 'w+', (h) => h.write(value as never, {} as never)), reset, `write(${String(value)})`);
  }
});

test('readv and writev: scatter and gather, with and without a position, past one slot, bad arguments', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'v');
  const contents = randomBytes(300_000);
  const reset = () => writeFileSync(file, contents);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', (h) => h.readv([Buffer.alloc(3), Buffer.alloc(0), Buffer.alloc(5)], 10)), reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', async (h) => [await h.readv([Buffer.alloc(4)]), await h.readv([Buffer.alloc(4)])]), reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', (h) => h.readv([Buffer.alloc(100_000), Buffer.alloc(100_000)], 1)), reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', (h) => h.readv([Buffer.alloc(4)], 299_998)), reset);
  await sameOnBoth(async (fs) => [await withHandle(fs, file, 'r+', (h) => h.writev([Buffer.from('ab'), Buffer.from('cd')], 3)), readFileSync(file)], reset);
  await sameOnBoth(async (fs) => [await withHandle(fs, file, 'r+', (h) => h.writev([Buffer.alloc(80_000, 1), Buffer.alloc(80_000, 2)])), readFileSync(file)], reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r+', (h) => h.writev([])), reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', (h) => h.readv('x' as never)), reset);
  await sameOnBoth((fs) => withHandle(fs, file, 'r', (h) => h.readv([Buffer.alloc(1), 'x'] as never)), reset);
});
