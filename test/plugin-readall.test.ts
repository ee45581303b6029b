/**
 * file.readAll on real files: the pread64 loop advances its cursor and offset with umem_add,
 * stops once st_size bytes are read, at end of file, or when `chunks` reads filled the buffer
 * (never writing past chunk × chunks), closes the fd on every path, and runs wholly inline on a
 * cached file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileReadAll, READ_ALL, STAT_SIZE_OFFSET } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 4096;
const GUARD = 0xaa;

test('file.readAll reads to st_size in chunks, stops when the buffer is full, and always closes', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall');
  const content = randomBytes(10_000);
  writeFileSync(join(dir, 'data'), content);
  writeFileSync(join(dir, 'empty'), '');
  mkdirSync(join(dir, 'sub'));
  const data = cstring(engine, join(dir, 'data')).at;
  // Four chunks plus a guard chunk that must never be written.
  const buffer = engine.alloc(5 * CHUNK);
  const run = (path: number, chunks: number) => {
    buffer.bytes.fill(GUARD);
    return fileReadAll.run(engine, { path, buf: buffer.start, chunk: CHUNK, chunks });
  };
  const result = (outcome: Awaited<ReturnType<typeof run>>, index: number) => outcome.atoms[index]?.result;
  const executed = (outcome: Awaited<ReturnType<typeof run>>, index: number) => outcome.atoms[index]?.executed;

  await run(data, 4); // warm the dentry and page cache
  const whole = await run(data, 4);
  assert.equal(whole.mode, 'inline', 'a cached file needs no cachemiss thread');
  assert.equal(whole.stop, 'end');
  assert.ok(Number(result(whole, READ_ALL.open)) >= 0);
  assert.equal(result(whole, READ_ALL.read), content.length - 2 * CHUNK, 'the last piece was the rest of the file');
  assert.equal(result(whole, READ_ALL.want), 0, 'read_size ended the loop: st_size bytes were read');
  assert.equal(result(whole, READ_ALL.total), content.length);
  assert.equal(result(whole, READ_ALL.closeWhenDone), 0);
  assert.equal(executed(whole, READ_ALL.closeAtEof), false, 'no read returned 0');
  assert.equal(executed(whole, READ_ALL.closeWhenFull), false);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, content.length)), content);
  assert.ok(buffer.bytes.subarray(4 * CHUNK).every((byte) => byte === GUARD), 'nothing written past chunk × chunks');

  const full = await run(data, 2);
  assert.equal(result(full, READ_ALL.total), 2 * CHUNK);
  assert.equal(result(full, READ_ALL.countdown), -1, 'two reads made, a third refused before it ran');
  assert.equal(result(full, READ_ALL.closeWhenFull), 0, 'a full buffer ends at the "buffer full" close');
  assert.equal(executed(full, READ_ALL.closeAtEof), false);
  assert.equal(executed(full, READ_ALL.closeWhenDone), false);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, 2 * CHUNK)), content.subarray(0, 2 * CHUNK));
  assert.ok(buffer.bytes.subarray(2 * CHUNK).every((byte) => byte === GUARD), 'the third chunk was not read');

  const empty = await run(cstring(engine, join(dir, 'empty')).at, 4);
  assert.equal(result(empty, READ_ALL.read), 0);
  assert.equal(executed(empty, READ_ALL.total), false, 'no bytes: the offset and cursor umem_add atoms never ran');
  assert.equal(result(empty, READ_ALL.closeAtEof), 0);

  const directory = await run(cstring(engine, join(dir, 'sub')).at, 4);
  assert.equal(directory.atoms[READ_ALL.read]?.errno, 'EISDIR');
  assert.equal(result(directory, READ_ALL.closeAtEof), 0, 'a read error still closes the fd');

  const missing = await run(cstring(engine, join(dir, 'missing')).at, 4);
  assert.equal(missing.atoms[READ_ALL.open]?.errno, 'ENOENT');
  assert.equal(missing.stop, 'flag');
  assert.deepEqual(missing.atoms.slice(1).map((atom) => atom.executed), new Array(9).fill(false));

  assert.deepEqual(fdsUnder(dir), [], 'every fd a chain opened was closed by it');
});

test('file.readAll leaves the struct stat in its scratch area', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-stat');
  writeFileSync(join(dir, 'f'), 'x'.repeat(1234));
  const instance = fileReadAll.acquire(engine);
  const buffer = engine.alloc(CHUNK);
  instance.setParams({ path: cstring(engine, join(dir, 'f')).at, buf: buffer.start, chunk: CHUNK, chunks: 1 });
  const done = await engine.runChain(instance.first);
  assert.equal(done.stop, 0);
  assert.equal(instance.scratchWord('stat', STAT_SIZE_OFFSET), 1234);
  assert.equal(instance.cell('offset'), 1234);
  instance.release();
});
