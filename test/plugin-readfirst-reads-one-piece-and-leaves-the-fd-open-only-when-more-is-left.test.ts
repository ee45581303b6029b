/**
 * file.readFirst, the whole-file reader's first chain, reads one piece of at most `chunk` bytes
 * with no loop: a file that fits is openat, fstat, the size probe, read_size, pread64, the check
 * of what is left and close — seven atoms, inline when cached — and the fd is closed. It stays
 * open only when more is left (a file longer than `chunk`: the caller reads on from the count
 * read) or when st_size is 0 (procfs, FIFOs: the caller reads those itself). A read that fails is
 * read(2)'s failure, after which the fd is closed; `chunk` 0 reads nothing and closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EBADF } from '../engine/native/index.js';
import { O_CLOEXEC, O_RDONLY, O_WRONLY } from '../engine/syscalls/constants.generated.js';
import { fileReadFirst, READ_FIRST } from '../plugins/builtin/file-read-first.js';
import type { Engine } from '../index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 4096;
const GUARD = 0xaa;

async function readFirst(engine: Engine, path: string, chunk: number, flags = O_RDONLY | O_CLOEXEC) {
  const buffer = engine.alloc(2 * CHUNK);
  buffer.bytes.fill(GUARD);
  const outcome = await fileReadFirst.run(engine, { path: cstring(engine, path).at, flags, mode: 0, buf: buffer.start, chunk });
  const executed = outcome.atoms.filter((atom) => atom.executed).map((atom) => atom.index);
  const result = (index: number): unknown => outcome.atoms[index]?.result;
  return { bytes: buffer.bytes, executed, result, mode: outcome.mode };
}

test('a file of up to chunk bytes is read in seven atoms, inline, and closed', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readfirst-fits');
  for (const size of [1, 100, CHUNK]) {
    const content = randomBytes(size);
    const path = join(dir, `data-${size}`);
    writeFileSync(path, content);
    const got = await readFirst(engine, path, CHUNK);
    const { open, fstat, sizeUnknown, want, pread, leftAfterPread, closeWhenDone } = READ_FIRST;
    assert.deepEqual(got.executed, [open, fstat, sizeUnknown, want, pread, leftAfterPread, closeWhenDone], `${size} bytes: the straight path`);
    assert.equal(got.mode, 'inline', `${size} bytes: a cached file never leaves the caller's thread`);
    assert.equal(got.result(pread), size);
    assert.equal(got.result(leftAfterPread), 0, 'nothing is left');
    assert.deepEqual(Buffer.from(got.bytes.subarray(0, size)), content);
    assert.ok(got.bytes.subarray(size).every((byte) => byte === GUARD), `${size} bytes: nothing written past them`);
  }
  assert.deepEqual(fdsUnder(dir), [], 'every fd was closed by the chain');
});

test('a file longer than chunk: one piece is read and the fd stays open, with what is left to read next', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readfirst-longer');
  const content = randomBytes(CHUNK + 1000);
  const path = join(dir, 'data');
  writeFileSync(path, content);
  const got = await readFirst(engine, path, CHUNK);
  const fd = Number(got.result(READ_FIRST.open));
  closeSync(fd);
  assert.equal(got.executed.at(-1), READ_FIRST.leftAfterPread, 'the check after the read ended the chain');
  assert.equal(got.result(READ_FIRST.pread), CHUNK, 'one piece of chunk bytes: the count the caller reads on from');
  assert.equal(got.result(READ_FIRST.leftAfterPread), 1000, 'the next piece: what is left');
  assert.deepEqual(Buffer.from(got.bytes.subarray(0, CHUNK)), content.subarray(0, CHUNK));
  assert.ok(got.bytes.subarray(CHUNK).every((byte) => byte === GUARD), 'not one byte past chunk');
});

test('st_size 0: the chain stops after fstat with the fd open, before any read', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readfirst-unknown');
  const got = await readFirst(engine, '/proc/self/stat', CHUNK);
  closeSync(Number(got.result(READ_FIRST.open)));
  assert.deepEqual(got.executed, [READ_FIRST.open, READ_FIRST.fstat, READ_FIRST.sizeUnknown]);
  assert.equal(got.result(READ_FIRST.sizeUnknown), 1);
  const empty = join(dir, 'empty');
  writeFileSync(empty, '');
  const none = await readFirst(engine, empty, CHUNK);
  closeSync(Number(none.result(READ_FIRST.open)));
  assert.equal(none.executed.at(-1), READ_FIRST.sizeUnknown, 'an empty file is one of unknown length too');
});

test('a read that fails is read(2)\'s failure and the fd is closed; chunk 0 reads nothing and closes', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readfirst-fails');
  const path = join(dir, 'data');
  writeFileSync(path, 'some bytes');
  const failed = await readFirst(engine, path, CHUNK, O_WRONLY | O_CLOEXEC);
  assert.equal(failed.result(READ_FIRST.pread), -EBADF);
  assert.equal(failed.result(READ_FIRST.read), -EBADF, 'made again as read(2), whose error is the one Node reports');
  assert.equal(failed.executed.at(-1), READ_FIRST.closeAtEof);
  const unread = await readFirst(engine, path, 0);
  assert.deepEqual(unread.executed, [READ_FIRST.open, READ_FIRST.fstat, READ_FIRST.sizeUnknown, READ_FIRST.want, READ_FIRST.closeUnread]);
  assert.ok(unread.bytes.every((byte) => byte === GUARD), 'not one byte written');
  assert.deepEqual(fdsUnder(dir), [], 'both fds were closed by the chain');
});
