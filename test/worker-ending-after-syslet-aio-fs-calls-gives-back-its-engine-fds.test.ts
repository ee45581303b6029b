/**
 * A worker thread that used syslet-aio/fs and then ends (its event loop empties, or it calls
 * `process.exit()`) gives back the fds of the engine it made: the process holds no more
 * io_uring rings, eventfds or schedstat files than before the worker started. A worker pool that
 * retires and replaces workers (Piscina's idle timeout, say) otherwise leaks two fds and about
 * 0.44 MB of RSS per worker: 100 workers each reading one file left 200 fds (the process's fd
 * count 20 -> 220) and RSS 72 -> 105 MB, where the same workers with node:fs/promises left none
 * (session 21, workers21; docs/reliability.md "Session 21: workers21").
 *
 * Cause: the shared engine of syslet-aio/fs (fs/index.ts sharedEngine) lives as long as the
 * module, and a worker's modules are never told they are unloaded; nothing closes the engine's
 * ring and eventfd (engine/engine-wake.ts's 'exit' hook stops the watcher only) and, on the
 * threads engine, the cachemiss clock's schedstat files. A worker's own `process.on('exit')`
 * runs on both of these endings, so it could close them.
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


test('a worker that used syslet-aio/fs gives back its engine fds when it returns or calls process.exit()', async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const dir = installed.work;
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(100_000, 7));
  const body = `
    const whole = await F.readFile(${JSON.stringify(file)});
    const handle = await F.open(${JSON.stringify(file)});
    const { bytesRead } = await handle.read(Buffer.alloc(4096), 0, 4096, 50_000);
    await handle.close();
    return [whole.length, bytesRead];
  `;
  const before = engineFdKinds();
  const results: unknown[] = [];
  for (const engine of ENGINES) {
    for (const end of ['return', 'exit'] satisfies WorkerEnd[]) results.push(await runLibraryWorker(installed.consumer, body, engine, end));
  }
  await settle();
  assert.deepEqual(results, Array.from({ length: 4 }, () => [100_000, 4096]), 'the workers read the file');
  assert.deepEqual(kindsDiff(before, engineFdKinds()), {}, 'engine fds left in the process by 4 ended workers');
});
