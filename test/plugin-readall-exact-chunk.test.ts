/**
 * file.readAll on a file of exactly `chunk` bytes: one read fills the chunk, and read_size then
 * ends the loop (atom 3) without a read at the end of the file. With `chunks` = 1 the buffer is
 * exactly the file: the countdown is checked just before each read, so read_size ends the loop
 * first and the chain still ends at atom 3 ("all read"), not at the "buffer full" close (atom 5).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NOT_EXECUTED } from '../plugins/define.js';
import { fileReadAll, READ_ALL, STAT_SIZE_OFFSET } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const CHUNK = 8192;

test('a file of exactly one chunk is one read, with no read at end of file', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-exact');
  const content = randomBytes(CHUNK);
  writeFileSync(join(dir, 'data'), content);
  const path = cstring(engine, join(dir, 'data')).at;
  const buffer = engine.alloc(4 * CHUNK);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  const run = async (chunks: number) => {
    instance.reset();
    buffer.bytes.fill(0);
    instance.setParams({ path, buf: buffer.start, chunk: CHUNK, chunks });
    return engine.runChain(instance.first);
  };

  const roomy = await run(4);
  assert.equal(instance.indexOf(roomy.last), READ_ALL.closeWhenDone);
  assert.equal(instance.result(READ_ALL.read), CHUNK);
  assert.equal(instance.result(READ_ALL.total), CHUNK);
  assert.equal(instance.result(READ_ALL.countdown), 3, 'one read was made');
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, CHUNK)), content);

  const exact = await run(1);
  assert.equal(instance.indexOf(exact.last), READ_ALL.closeWhenDone, 'read_size saw the whole file read before the countdown was checked again');
  assert.equal(instance.result(READ_ALL.countdown), 0, 'the one read allowed was made');
  assert.equal(instance.result(READ_ALL.total), instance.scratchWord('stat', STAT_SIZE_OFFSET), 'and it read the whole file');
  assert.equal(instance.result(READ_ALL.closeWhenFull), NOT_EXECUTED);
  assert.equal(instance.result(READ_ALL.closeAtEof), NOT_EXECUTED);
  assert.deepEqual(Buffer.from(buffer.bytes.subarray(0, CHUNK)), content);
  assert.deepEqual(fdsUnder(dir), []);
});
