/**
 * file.readAll on a file larger than chunk × chunks: each read asks for at most `chunk` bytes
 * (read_size clamps st_size - offset to it), `chunks` reads are made, then the countdown (checked
 * before each read) refuses one more and atom 5 closes the fd. Not one byte after
 * buf + chunk × chunks is written.
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
const CHUNKS = 3;
const GUARD = 0xaa;

test('a file larger than chunk × chunks stops with the buffer full, guard bytes untouched', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-full');
  const content = randomBytes(CHUNK * CHUNKS + 5000);
  writeFileSync(join(dir, 'data'), content);
  // The buffer, then a guard chunk that must never be written.
  const region = engine.alloc((CHUNKS + 1) * CHUNK);
  region.bytes.fill(GUARD);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  instance.setParams({ path: cstring(engine, join(dir, 'data')).at, buf: region.start, chunk: CHUNK, chunks: CHUNKS });
  const done = await engine.runChain(instance.first);

  assert.equal(instance.indexOf(done.last), READ_ALL.closeWhenFull);
  assert.equal(instance.result(READ_ALL.closeWhenFull), 0);
  assert.equal(instance.result(READ_ALL.countdown), -1, `${CHUNKS} reads were made, and the next one refused`);
  assert.equal(instance.cell('want'), CHUNK, 'each read was clamped to one chunk');
  assert.equal(instance.result(READ_ALL.read), CHUNK);
  assert.equal(instance.result(READ_ALL.total), CHUNK * CHUNKS);
  assert.equal(instance.result(READ_ALL.closeWhenDone), NOT_EXECUTED);
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED);
  assert.deepEqual(Buffer.from(region.bytes.subarray(0, CHUNK * CHUNKS)), content.subarray(0, CHUNK * CHUNKS));
  assert.ok(region.bytes.subarray(CHUNK * CHUNKS).every((byte) => byte === GUARD), 'nothing written past chunk × chunks');
  assert.deepEqual(fdsUnder(dir), []);
});
