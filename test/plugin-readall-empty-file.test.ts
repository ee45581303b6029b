/**
 * file.readAll on an empty file: st_size 0 gives read_size nothing to go by, so it asks for a
 * whole chunk; the countdown allows the read, the read returns 0 and atom 7 closes the fd. The
 * offset and cursor umem_add atoms never run, so the total is "not executed" (0 bytes) and the
 * buffer is untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_EXECUTED } from '../plugins/define.js';
import { fileReadAll, READ_ALL } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 4096;
const GUARD = 0xaa;

test('an empty file ends at a 0-byte read and writes nothing', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-empty');
  writeFileSync(join(dir, 'empty'), '');
  const buffer = engine.alloc(2 * CHUNK);
  buffer.bytes.fill(GUARD);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  instance.setParams({ path: cstring(engine, join(dir, 'empty')).at, buf: buffer.start, chunk: CHUNK, chunks: 2 });
  const done = await engine.runChain(instance.first);

  assert.equal(instance.indexOf(done.last), READ_ALL.closeAtEof);
  assert.equal(instance.result(READ_ALL.want), CHUNK, 'st_size 0: read_size asked for a whole chunk');
  assert.equal(instance.result(READ_ALL.read), 0);
  assert.equal(instance.result(READ_ALL.closeAtEof), 0);
  assert.equal(instance.result(READ_ALL.countdown), 1, 'one read allowed and made');
  assert.equal(instance.result(READ_ALL.total), NOT_EXECUTED, 'no bytes: the offset and cursor umem_add atoms never ran');
  assert.equal(instance.result(READ_ALL.closeWhenDone), NOT_EXECUTED);
  assert.ok(buffer.bytes.every((byte) => byte === GUARD));
  assert.deepEqual(fdsUnder(dir), []);
});
