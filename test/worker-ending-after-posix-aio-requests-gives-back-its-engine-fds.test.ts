/**
 * A worker thread that made POSIX AIO requests (aio_read + aio_suspend, and the Promise twin
 * aio.read) and then ends (its event loop empties, or it calls `process.exit()`) gives back the
 * fds of the POSIX layer's engine: the process holds no more io_uring rings or eventfds than
 * before the worker started (session 21, workers21: each such worker left one io_uring fd and one
 * eventfd on the io_uring engine, one eventfd on the threads engine).
 *
 * Cause: the POSIX layer's engine (shim/context.ts aioEngine) is made on first use and never
 * closed; a worker's modules are never told they are unloaded, and engine/engine-wake.ts's
 * 'exit' hook stops the eventfd's watcher but closes neither the eventfd nor the ring. A worker's
 * `process.on('exit')` runs on both of these endings, so it could close them.
 *
 * Fixed (session 21, coord21): an Engine made on a worker thread is released at the thread's
 * 'exit' event (engine/engine.ts releaseAtWorkerExit: the ring, the eventfd, the cachemiss
 * threads' clock files), so the process keeps none of them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';
import { ENGINES, engineFdKinds, kindsDiff, runLibraryWorker, settle, type WorkerEnd } from './helpers/worker-fds.js';


test('a worker that made POSIX AIO requests gives back its engine fds when it returns or calls process.exit()', async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const file = join(installed.work, 'data');
  writeFileSync(file, Buffer.alloc(100_000, 7));
  const body = `
    const fd = require('node:fs').openSync(${JSON.stringify(file)}, 'r');
    const cb = new S.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: 8192 });
    if (S.aio_read(cb) !== 0) throw new Error('aio_read ' + S.errnoName(S.errno()));
    while (S.aio_error(cb) === S.EINPROGRESS) S.aio_suspend([cb], null);
    const first = S.aio_return(cb);
    const second = await S.aio.read(fd, Buffer.alloc(4096), 0);
    require('node:fs').closeSync(fd);
    return [first, second];
  `;
  const before = engineFdKinds();
  const results: unknown[] = [];
  for (const engine of ENGINES) {
    for (const end of ['return', 'exit'] satisfies WorkerEnd[]) results.push(await runLibraryWorker(installed.consumer, body, engine, end));
  }
  await settle();
  assert.deepEqual(results, Array.from({ length: 4 }, () => [4096, 4096]), 'the workers read the file');
  assert.deepEqual(kindsDiff(before, engineFdKinds()), {}, 'engine fds left in the process by 4 ended workers');
});
