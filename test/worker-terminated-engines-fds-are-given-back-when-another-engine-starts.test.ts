/**
 * Workers that used the library and were terminated (`worker.terminate()`, as a pool does when it
 * retires an idle worker) leave their engines' io_uring rings, eventfds, signalfd and cachemiss
 * clock files behind only until an engine starts on another thread: a pool that keeps replacing
 * its workers holds at most the last one's, not one set per worker ever terminated.
 *
 * Before engine/native/thread-resources.ts every terminated worker's fds stayed for the process's
 * life (session 21: 43-212 fds a process of 20 workers). A terminated worker runs none of its
 * JavaScript, so the fds are recorded in native memory every thread finds, in the worker's name;
 * an engine started elsewhere closes those of threads that no longer exist. What is still open
 * (the last terminated worker's fds while no engine starts after it) is
 * worker-terminated-after-library-calls-gives-back-its-engine-fds.test.ts's todo.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';
import { ENGINES, engineFdKinds, everyEngineFdBody, kindsDiff, runLibraryWorker, settle } from './helpers/worker-fds.js';

const TERMINATED = 4;
/** One worker's engine fds at most: two engines (the POSIX layer's and syslet-aio/fs's), each a ring, an eventfd and up to two clock files, and one signalfd. */
const ONE_WORKERS_FDS = 2 * 4 + 1;

test('terminated workers\' engine fds are given back when an engine starts on another thread', { timeout: 240_000 }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const file = join(installed.work, 'data');
  writeFileSync(file, Buffer.alloc(10_000, 3));
  const body = everyEngineFdBody(file, 6);
  const before = engineFdKinds();
  const left: Record<string, number>[] = [];
  for (let i = 0; i < TERMINATED; i++) {
    const engine = ENGINES[i % ENGINES.length] as string;
    assert.deepEqual(await runLibraryWorker(installed.consumer, body, engine, 'terminate'), [10_000, 100, 1], `worker ${i} (${engine}) read the file and got the signal`);
    await settle();
    left.push(kindsDiff(before, engineFdKinds()));
  }
  // Each terminated worker's fds are there until the next worker's engine starts: never more
  // than one worker's, none piled up (before: 7, 16, 16, 25 fds after the four).
  const worst = Math.max(...left.map((diff) => Object.values(diff).reduce((sum, count) => sum + count, 0)));
  assert.ok(worst <= ONE_WORKERS_FDS, `at most one terminated worker's engine fds are left at a time (left after each: ${JSON.stringify(left)})`);
  // A worker that starts an engine and ends by itself: its engine gives back the last terminated
  // worker's, and its own go at its exit.
  const last = await runLibraryWorker(installed.consumer, `return (await F.readFile(${JSON.stringify(file)})).length;`, 'io_uring', 'return');
  assert.equal(last, 10_000);
  await settle();
  assert.deepEqual(kindsDiff(before, engineFdKinds()), {}, `engine fds left after ${TERMINATED} terminated workers and one that ended by itself (after each termination: ${JSON.stringify(left)})`);
});
