/**
 * file.readMore reads with pread64 from the offset it is given, not from the file position: the
 * whole-file reader's first chain (file.readStart) reads with pread64 too and leaves the position
 * at 0, so a read(2) here would read the file's start again. Where pread64 reads nothing, the
 * piece is made again as lseek to that offset + read(2): a fd with no position (a FIFO: ESPIPE)
 * is read with read(2) as Node reads it, and a read error is read(2)'s (a write-only fd: EBADF).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, openSync, readSync, writeFileSync, writeSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { EBADF, ESPIPE } from '../engine/native/index.js';
import { fileReadMore, READ_MORE } from '../plugins/index.js';
import { engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const GUARD = 0xaa;

test('file.readMore reads [at, end) of a file whatever its file position, and closes it at the end', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readmore-at');
  const content = randomBytes(10_000);
  const path = join(dir, 'data');
  writeFileSync(path, content);
  const buffer = engine.alloc(12_000);
  for (const at of [0, 3000]) {
    const fd = openSync(path, 'r');
    // Move the file position somewhere else: a read(2) would start there.
    readSync(fd, Buffer.alloc(1234));
    buffer.bytes.fill(GUARD);
    const outcome = await fileReadMore.run(engine, { fd, buf: buffer.start, chunk: 4096, chunks: 8, at, end: content.length });
    const executed = (index: number): boolean | undefined => outcome.atoms[index]?.executed;
    assert.equal(executed(READ_MORE.read), false, `at ${at}: every piece came from pread64`);
    assert.equal(executed(READ_MORE.closeWhenDone), true, `at ${at}: closed once end was reached`);
    const read = content.length - at;
    assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, read)), content.subarray(at), `at ${at}: the bytes from ${at} on`);
    assert.ok(buffer.bytes.subarray(read).every((byte) => byte === GUARD), `at ${at}: nothing written past them`);
  }
  assert.deepEqual(fdsUnder(dir), [], 'both fds were closed by the chain');
});

test('file.readMore reads a FIFO (no position: pread64 answers ESPIPE) with read(2)', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readmore-fifo');
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // O_RDWR: the open does not wait for a writer, and this fd writes what the chain reads.
  const fd = openSync(fifo, 'r+');
  const content = randomBytes(3000);
  writeSync(fd, content);
  const buffer = engine.alloc(4096);
  buffer.bytes.fill(GUARD);
  const outcome = await fileReadMore.run(engine, { fd, buf: buffer.start, chunk: 4096, chunks: 1, at: 0, end: content.length });
  const result = (index: number): unknown => outcome.atoms[index]?.result;
  assert.equal(result(READ_MORE.pread), -ESPIPE);
  assert.equal(result(READ_MORE.seek), -ESPIPE, 'a FIFO has no position to seek either');
  assert.equal(result(READ_MORE.read), content.length, 'read(2) read what the FIFO held');
  assert.equal(outcome.atoms[READ_MORE.closeWhenDone]?.executed, true);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, content.length)), content);
  assert.deepEqual(fdsUnder(dir), []);
});

test('file.readMore on a write-only fd fails with read(2)\'s EBADF and closes it', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readmore-ebadf');
  const path = join(dir, 'data');
  writeFileSync(path, 'some bytes');
  const fd = openSync(path, 'w');
  const buffer = engine.alloc(4096);
  try {
    const outcome = await fileReadMore.run(engine, { fd, buf: buffer.start, chunk: 4096, chunks: 1, at: 0, end: 10 });
    assert.equal(outcome.atoms[READ_MORE.pread]?.result, -EBADF);
    assert.equal(outcome.atoms[READ_MORE.read]?.result, -EBADF);
    assert.equal(outcome.atoms[READ_MORE.closeAtEof]?.executed, true);
  } catch (error) {
    closeSync(fd);
    throw error;
  }
  assert.deepEqual(fdsUnder(dir), []);
});
