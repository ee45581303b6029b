/**
 * file.readAll on a procfs file, whose st_size is 0 although it has content: read_size asks for
 * whole chunks, and the loop reads until a read returns 0, as fs.promises.readFile does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { fileReadAll, READ_ALL, STAT_SIZE_OFFSET } from '../plugins/index.js';
import { cstring } from './plugin-fixture.js';

const CHUNK = 4096;

test('a procfs file (st_size 0) is read until a read returns 0', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const buffer = engine.alloc(4 * CHUNK);
  const instance = fileReadAll.acquire(engine);
  t.after(() => instance.release());
  instance.setParams({ path: cstring(engine, '/proc/self/status').at, buf: buffer.start, chunk: CHUNK, chunks: 4 });
  const done = await engine.runChain(instance.first);

  assert.equal(instance.scratchWord('stat', STAT_SIZE_OFFSET), 0, 'procfs reports st_size 0');
  assert.equal(instance.indexOf(done.last), READ_ALL.closeAtEof, 'the loop ended at a 0-byte read');
  assert.equal(instance.result(READ_ALL.read), 0);
  assert.equal(instance.result(READ_ALL.want), CHUNK, 'every read asked for a whole chunk');
  const total = Number(instance.result(READ_ALL.total));
  assert.ok(total > 0 && total < 4 * CHUNK, `${total} bytes`);
  const text = Buffer.from(buffer.bytes.subarray(0, total)).toString();
  assert.match(text, /^Name:\t/);
  assert.match(text, new RegExp(`\\nPid:\\t${process.pid}\\n`));
  assert.ok(text.endsWith('\n'), 'the whole file, not a piece of it');
});
