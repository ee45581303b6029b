// The Promise twins take Node's conventions for where to read and what to read from: position
// null (or -1, or left out in the options form) reads and writes at the fd's current file position
// and advances it, as fs.read/fs.write do, with calls on one fd served in call order; a FileHandle
// from node:fs/promises stands for its fd; bad arguments are refused with fs.read's own errors.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readFileSync, readSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { aio } from '../index.js';
import { closeAll, rawWrite, socketpair, SOCK_STREAM, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

test('position null: consecutive reads and writes at the file position, which advances', async () => {
  const file = dir.path('positions');
  writeFileSync(file, 'abcdefghijkl');
  const fd = openSync(file, 'r+');
  try {
    // Issued together: they are served one after another, in call order.
    const buffers = [Buffer.alloc(4), Buffer.alloc(4), Buffer.alloc(4)];
    const counts = await Promise.all([aio.read(fd, buffers[0] as Buffer, null), aio.read(fd, buffers[1] as Buffer, -1), aio.read(fd, buffers[2] as Buffer, { position: null })]);
    assert.deepEqual(counts, [4, 4, 4]);
    assert.deepEqual(buffers.map(String), ['abcd', 'efgh', 'ijkl']);
    assert.equal(await aio.write(fd, Buffer.from('XY'), null), 2, 'at the position the reads left: the end');
    assert.equal(await aio.read(fd, Buffer.alloc(4), null), 0, 'end of file after the write');
    assert.equal(readFileSync(file, 'utf8'), 'abcdefghijklXY');
    // A positioned read leaves the file position alone, as pread does.
    const positioned = Buffer.alloc(2);
    assert.equal(await aio.read(fd, positioned, 1), 2);
    assert.equal(String(positioned), 'bc');
    assert.equal(readSync(fd, Buffer.alloc(1), 0, 1, null), 0, 'the file position is still at the end');
  } finally {
    closeSync(fd);
  }
});

test('position null on a socket reads the stream; a FileHandle stands for its fd', async () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const pending = aio.read(a, Buffer.alloc(5), null);
    rawWrite(b, Buffer.from('hello'));
    assert.equal(await pending, 5);
  } finally {
    closeAll(a, b);
  }
  const file = dir.path('handle');
  writeFileSync(file, '0123456789');
  const handle = await open(file, 'r');
  try {
    const first = Buffer.alloc(3);
    assert.equal(await aio.read(handle, first, 2), 3);
    assert.equal(String(first), '234');
    assert.equal(await aio.read(handle, first), 3, 'the options form with no position: the current one');
    assert.equal(String(first), '012');
    const { bytesRead, buffer } = await handle.read(Buffer.alloc(3), 0, 3, null);
    assert.equal(String(buffer.subarray(0, bytesRead)), '345', 'the FileHandle continues where aio.read stopped');
    await aio.fsync(handle);
  } finally {
    await handle.close();
  }
  await assert.rejects(aio.read(handle, Buffer.alloc(1), 0), { code: 'EBADF', syscall: 'aio_read' }, 'a closed FileHandle is a bad fd');
});

test('bad fd, buffer and position: fs.read\'s TypeError/RangeError, code and argument name', async () => {
  const nodeError = (fn: () => unknown): Error & { code?: unknown } => {
    try {
      fn();
    } catch (error) {
      return error as Error & { code?: unknown };
    }
    throw new Error('expected fs to throw');
  };
  const cases: [string, () => unknown, () => Promise<unknown>][] = [
    ['fd', () => readSync('x' as never, Buffer.alloc(1)), () => aio.read('x' as never, Buffer.alloc(1), 0)],
    ['fd', () => readSync(1.5, Buffer.alloc(1)), () => aio.read(1.5, Buffer.alloc(1), 0)],
    ['buffer', () => readSync(0, 'x' as never), () => aio.read(0, 'x' as never, 0)],
    ['position', () => readSync(0, Buffer.alloc(1), 0, 1, -2), () => aio.read(0, Buffer.alloc(1), -2)],
    ['position', () => readSync(0, Buffer.alloc(1), 0, 1, 'x' as never), () => aio.write(1, Buffer.alloc(1), 'x' as never)],
    ['position', () => readSync(0, Buffer.alloc(1), 0, 1, 2 ** 53), () => aio.read(0, Buffer.alloc(1), 2 ** 53)],
  ];
  for (const [name, viaNode, viaAio] of cases) {
    const node = nodeError(viaNode);
    let ours: (Error & { code?: unknown }) | undefined;
    await viaAio().catch((error: Error & { code?: unknown }) => (ours = error));
    assert.ok(ours !== undefined, `${name}: rejected`);
    assert.deepEqual([ours.name, ours.code], [node.name, node.code], `${name}: ${ours.message}`);
    assert.ok(ours.message.includes(`"${name}"`), `${name}: the message names it: ${ours.message}`);
    // The rule and what was received read the same; only the allowed types may add FileHandle.
    assert.equal(ours.message.replace(' or an instance of FileHandle', ''), node.message);
  }
});
