/**
 * file.readAll checks its countdown just before each read, so `chunks` bounds the reads exactly:
 * with `chunks` = 0 no read runs at all (the chain opens, fstats, and atom 5 closes the fd), and
 * with `chunks` = 1 on a file larger than `chunk` exactly one read runs. The countdown used to be
 * decremented after each read and stopped only at 0, so `chunks` = 0 went 0 → -1 and never
 * stopped: the reads were bounded by st_size alone and wrote past buf + chunk × chunks.
 * A `chunks` above 2^63 is negative once decremented (umem_add's result is a signed word): no read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_EXECUTED } from '../plugins/define.js';
import { fileReadAll, READ_ALL } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 4096;
const GUARD = 0xaa;

test('chunks = 0 makes no read: buf and what follows it are untouched, and the fd is closed', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-zero');
  const content = randomBytes(3 * CHUNK + 100);
  writeFileSync(join(dir, 'data'), content);
  const path = cstring(engine, join(dir, 'data')).at;
  // buf, then guard chunks: with chunks = 0 not one byte of any of it may be written.
  const region = engine.alloc(4 * CHUNK);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  const run = async (chunks: number | bigint) => {
    instance.reset();
    region.bytes.fill(GUARD);
    instance.setParams({ path, buf: region.start, chunk: CHUNK, chunks });
    return engine.runChain(instance.first);
  };

  const done = await run(0);
  // 0 1 2 4 5: open, fstat, read_size, countdown (-1: no read allowed), close.
  assert.equal(done.atoms, 5);
  assert.equal(instance.indexOf(done.last), READ_ALL.closeWhenFull);
  assert.equal(instance.result(READ_ALL.closeWhenFull), 0, 'the fd was closed');
  assert.equal(instance.result(READ_ALL.countdown), -1);
  assert.equal(instance.result(READ_ALL.want), CHUNK, 'read_size had a chunk to ask for');
  assert.equal(instance.result(READ_ALL.read), NOT_EXECUTED, 'no read ran');
  assert.equal(instance.result(READ_ALL.total), NOT_EXECUTED);
  assert.equal(instance.result(READ_ALL.closeWhenDone), NOT_EXECUTED);
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED);
  assert.equal(instance.cell('offset'), 0);
  assert.equal(instance.cell('cursor'), region.start, 'the cursor never moved');
  assert.ok(region.bytes.every((byte) => byte === GUARD), 'nothing written in or after buf');
  assert.deepEqual(fdsUnder(dir), []);

  // Above 2^63 the decremented count is a negative word at once: no read either.
  for (const huge of [2n ** 63n + 1n, 2n ** 64n - 1n]) {
    const again = await run(huge);
    assert.equal(instance.indexOf(again.last), READ_ALL.closeWhenFull, `chunks = ${huge}`);
    assert.equal(instance.result(READ_ALL.read), NOT_EXECUTED, `chunks = ${huge}: no read ran`);
    assert.ok(region.bytes.every((byte) => byte === GUARD), `chunks = ${huge}: nothing written`);
  }
  assert.deepEqual(fdsUnder(dir), []);
});

test('chunks = 1 on a file larger than chunk makes exactly one read', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-one');
  const content = randomBytes(3 * CHUNK + 100);
  writeFileSync(join(dir, 'data'), content);
  // One chunk of buf, then guard chunks that must never be written.
  const region = engine.alloc(4 * CHUNK);
  region.bytes.fill(GUARD);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  instance.setParams({ path: cstring(engine, join(dir, 'data')).at, buf: region.start, chunk: CHUNK, chunks: 1 });
  const done = await engine.runChain(instance.first);

  // 0 1 2 4 6 8 9 2 4 5: one read, then read_size finds more to read and the countdown refuses it.
  assert.equal(done.atoms, 10);
  assert.equal(instance.indexOf(done.last), READ_ALL.closeWhenFull);
  assert.equal(instance.result(READ_ALL.closeWhenFull), 0);
  assert.equal(instance.result(READ_ALL.countdown), -1, 'the second read was refused');
  assert.equal(instance.result(READ_ALL.read), CHUNK, 'the one read filled the chunk');
  assert.equal(instance.result(READ_ALL.total), CHUNK);
  assert.equal(instance.cell('want'), CHUNK, 'read_size had another chunk to ask for');
  assert.equal(instance.result(READ_ALL.closeWhenDone), NOT_EXECUTED);
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED);
  assert.deepEqual(Buffer.from(region.bytes.subarray(0, CHUNK)), content.subarray(0, CHUNK));
  assert.ok(region.bytes.subarray(CHUNK).every((byte) => byte === GUARD), 'nothing written past chunk × chunks');
  assert.deepEqual(fdsUnder(dir), []);
});
