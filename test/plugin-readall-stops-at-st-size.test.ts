/**
 * file.readAll stops once it has read st_size bytes: a cached 4 KiB file read with a 64 KiB
 * chunk is one read of exactly 4096 bytes, then read_size returns 0 and atom 3 closes the fd.
 * No read returns 0 (atom 7 does not run), so the chain makes no syscall to learn it is done.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_EXECUTED } from '../plugins/define.js';
import { fileReadAll, READ_ALL } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 65536;

test('a cached file ends at st_size: one full read, then close without an EOF read', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-st-size');
  const content = randomBytes(4096);
  writeFileSync(join(dir, 'data'), content);
  const path = cstring(engine, join(dir, 'data')).at;
  const buffer = engine.alloc(2 * CHUNK);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  const run = async () => {
    instance.reset();
    instance.setParams({ path, buf: buffer.start, chunk: CHUNK, chunks: 2 });
    return engine.runChain(instance.first);
  };
  await run(); // warm the dentry and page cache
  const done = await run();

  assert.equal(done.mode, 'inline');
  assert.equal(instance.indexOf(done.last), READ_ALL.closeWhenDone, 'the chain ended at the close after read_size');
  // 0 1 2 4 6 8 9 2 3: open, fstat, read_size, countdown, pread64, offset and cursor umem_add,
  // read_size again, close.
  assert.equal(done.atoms, 9);
  assert.equal(instance.result(READ_ALL.countdown), 1, 'one read of the two allowed was made');
  assert.equal(instance.result(READ_ALL.read), 4096, 'the read asked for st_size bytes and got them all');
  assert.equal(instance.cell('want'), 0, 'the second read_size found nothing left to read');
  assert.equal(instance.result(READ_ALL.total), 4096);
  assert.equal(instance.result(READ_ALL.closeWhenDone), 0);
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED, 'no read returned 0');
  assert.equal(instance.result(READ_ALL.closeWhenFull), NOT_EXECUTED);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, 4096)), content);
  assert.deepEqual(fdsUnder(dir), []);
});
