/**
 * syslet-aio/fs's readFile of a cached file ends its request within the call: the first chain
 * completes inline and the request leaves the window before readFile's first await. It used to
 * await the inline answer, which kept the request in the window a microtask longer, so a
 * Promise.all over many cached files filled the window and queued every call past it (10,000
 * calls: 9,872 waiting, 43 slabs of slots, and the queue's Promises and closures for the garbage
 * collector). Many calls at once now hold no place in the window once they have been made.
 *
 * On both engines since session 24: a file whose open the dcache answers is read with straight
 * calls (plugins/reader.ts) within the call. Before, the io_uring engine read every file with its
 * linked batch, which ends in a later turn; the window bounds those batches in flight
 * (fs-readfile-through-the-ring-bounds-requests-in-flight-by-the-window.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../index.js';
import { createFs, requestStats, setRequestWindow } from '../fs.js';
import { tempDir } from './plugin-fixture.js';
import { writeCachedFiles } from './helpers/ring-reads.js';

for (const kind of ['threads', 'io_uring'] as const) {
  test(`readFile of many cached files at once: each leaves the window within its call, none queues (${kind} engine)`, async (t) => {
    const { dir, cleanup } = tempDir('readfile-window');
    const engine = new Engine({ engine: kind });
    t.after(async () => {
      await engine.close();
      cleanup();
    });
    if (engine.asyncEngine.kind !== kind) {
      t.skip(`no ${kind} engine here`);
      return;
    }
    const fs = createFs(engine);
    setRequestWindow(engine, 4);
    // Cached and their dentries known: read inline with straight calls.
    const { paths, contents } = writeCachedFiles(dir, 64);
    const reads = paths.map((path) => fs.readFile(path));
    const stats = requestStats(engine);
    assert.equal(stats.waiting, 0, 'no call waited for the window (16 times its size were made)');
    assert.equal(stats.active, 0, 'every request already left it');
    const got = await Promise.all(reads);
    got.forEach((bytes, i) => assert.deepEqual(bytes, contents[i], `file ${i} read whole`));
  });
}
