/**
 * On the io_uring engine syslet-aio/fs's readFile that starts with the linked batch
 * (engine/uring-file-reads.ts: an open the dcache cannot answer, or any file on an engine named to
 * readFirstOnTheRing, as here) ends in a later turn, so each call holds its place in the request
 * window until then: the window (here 4) bounds the batches in flight, the calls past it wait for a
 * place, and every file still reads whole. Otherwise a cached file is read with straight calls
 * within the call (fs-readfile-of-cached-files-leaves-the-request-window-within-the-call).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../index.js';
import { createFs, requestStats, setRequestWindow } from '../fs.js';
import { tempDir } from './plugin-fixture.js';
import { writeCachedFiles } from './helpers/ring-reads.js';
import { readFirstOnTheRing } from '../plugins/reader.js';

test('readFile of many cached files at once through the ring: the window bounds the batches in flight', async (t) => {
  const { dir, cleanup } = tempDir('ring-window');
  const engine = new Engine();
  t.after(async () => {
    await engine.close();
    cleanup();
  });
  if (engine.fileReads === null) {
    t.skip(`no ring file reads on this engine (${engine.asyncEngine.kind})`);
    return;
  }
  readFirstOnTheRing(engine);
  const fs = createFs(engine);
  setRequestWindow(engine, 4);
  const { paths, contents } = writeCachedFiles(dir, 64);
  const reads = paths.map((path) => fs.readFile(path));
  const stats = requestStats(engine);
  assert.ok(stats.active <= 4, `${stats.active} requests hold a place in a window of 4`);
  assert.equal(stats.active + stats.waiting, 64, 'every call holds a place or waits for one');
  assert.ok(engine.ringInFlight <= 4 * 3, `${engine.ringInFlight} requests in the ring: three per batch at most`);
  const got = await Promise.all(reads);
  got.forEach((bytes, i) => assert.deepEqual(bytes, contents[i], `file ${i} read whole`));
  const after = requestStats(engine);
  assert.equal(after.active + after.waiting, 0, 'the window is empty again');
});
