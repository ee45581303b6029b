/**
 * The rest of FileHandle, on node:fs/promises's and syslet-aio/fs's: stat (bigint too),
 * truncate, sync, datasync, readFile and writeFile/appendFile at the file position, chmod, chown
 * and utimes, streams and readLines, close (the 'close' event, close while a call is in flight,
 * close twice, Symbol.asyncDispose) and every method after close (`file closed`, EBADF, with
 * Node's syscall names). Ported from Node's test-fs-promises-file-handle-stat.js, -truncate.js,
 * -sync.js, -readFile.js, -writeFile.js, -append-file.js, -dispose.js, -stream.js,
 * -readLines.mjs and test-fs-filehandle-use-after-close.js.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventEmitter } from 'node:events';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { IMPLEMENTATIONS, sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('stat, truncate, sync, datasync, chmod, chown, utimes on an open handle', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  const reset = () => writeFileSync(file, 'abcdefghij');
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r+');
    try {
      const before = await handle.stat();
      await handle.truncate(4);
      const after = await handle.stat({ bigint: true });
      await handle.truncate();
      await handle.sync();
      await handle.datasync();
      await handle.chmod(0o600);
      await handle.chown(process.getuid?.() ?? 0, process.getgid?.() ?? 0);
      await handle.utimes(1_000_000, new Date(2_000_000_000));
      return [before.size, after.size, statSync(file).size, statSync(file).mode, statSync(file).mtimeMs];
    } finally {
      await handle.close();
    }
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r+');
    try {
      return await handle.truncate(1.5);
    } finally {
      await handle.close();
    }
  }, reset);
});

test('readFile, writeFile and appendFile on a handle work at its file position and never truncate', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  const reset = () => writeFileSync(file, '0123456789');
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r+');
    try {
      await handle.read(Buffer.alloc(4), 0, 4, null);
      const rest = await handle.readFile('utf8');
      await handle.write('A', 0);
      await handle.writeFile('XY');
      await handle.appendFile(Buffer.from('Z'));
      return [rest, readFileSync(file, 'utf8'), await handle.readFile()];
    } finally {
      await handle.close();
    }
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'a+');
    try {
      await handle.appendFile('appended');
      await handle.writeFile(new Uint8Array([0x41]));
      return readFileSync(file, 'utf8');
    } finally {
      await handle.close();
    }
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r');
    try {
      return await handle.readFile({ encoding: 'nope' } as never);
    } finally {
      await handle.close();
    }
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r');
    try {
      return await handle.readFile({ signal: AbortSignal.abort() });
    } finally {
      await handle.close();
    }
  }, reset);
});

test('streams and readLines over a handle read its file', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'lines');
  const reset = () => writeFileSync(file, 'one\ntwo\nthree\n'.repeat(5000));
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r');
    const chunks: Buffer[] = [];
    for await (const chunk of handle.createReadStream({ start: 4 })) chunks.push(chunk as Buffer);
    return [Buffer.concat(chunks).length, handle.fd];
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(file, 'r');
    const lines: string[] = [];
    for await (const line of handle.readLines()) lines.push(line);
    return lines.length;
  }, reset);
  await sameOnBoth(async (fs) => {
    const handle = await fs.open(join(dir, 'out'), 'w');
    const stream = handle.createWriteStream();
    await new Promise<void>((resolve, reject) => stream.end('written through a stream', (error?: Error | null) => (error ? reject(error) : resolve())));
    return readFileSync(join(dir, 'out'), 'utf8');
  }, reset);
});

test('close: the event, a call in flight finishes first, twice is fine, asyncDispose closes, every later call is file closed', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'f');
  writeFileSync(file, 'x'.repeat(100_000));
  for (const { name, fs } of IMPLEMENTATIONS) {
    const handle = await fs.open(file, 'r');
    let closedEvents = 0;
    (handle as unknown as EventEmitter).on('close', () => closedEvents++);
    const reading = handle.read(Buffer.alloc(100_000), 0, 100_000, 0);
    const closing = handle.close();
    assert.equal((await reading).bytesRead, 100_000, `${name}: the read in flight completes`);
    await closing;
    await handle.close();
    assert.equal(handle.fd, -1, `${name}: fd is -1 after close`);
    assert.equal(closedEvents, 1, `${name}: one 'close' event`);
    {
      await using disposed = await fs.open(file, 'r');
      assert.notEqual(disposed.fd, -1);
    }
  }
  const calls: [string, (h: FileHandle) => Promise<unknown>][] = [
    ['stat', (h) => h.stat()], ['read', (h) => h.read(Buffer.alloc(1), 0, 1, 0)], ['write', (h) => h.write('x')],
    ['readv', (h) => h.readv([Buffer.alloc(1)])], ['writev', (h) => h.writev([Buffer.alloc(1)])], ['truncate', (h) => h.truncate(1)],
    ['sync', (h) => h.sync()], ['datasync', (h) => h.datasync()], ['readFile', (h) => h.readFile()], ['writeFile', (h) => h.writeFile('x')],
    ['appendFile', (h) => h.appendFile('x')], ['chmod', (h) => h.chmod(0o644)], ['utimes', (h) => h.utimes(1, 1)],
  ];
  for (const [label, call] of calls) {
    await sameOnBoth(async (fs) => {
      const handle = await fs.open(file, 'r+');
      await handle.close();
      const other = await fs.open(process.execPath, 'r');
      try {
        return await call(handle);
      } finally {
        await other.close();
      }
    }, undefined, label);
  }
});
