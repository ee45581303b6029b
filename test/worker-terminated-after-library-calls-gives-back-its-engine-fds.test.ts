/**
 * A worker thread that used the library (syslet-aio/fs, POSIX AIO with a SIGEV_SIGNAL completion)
 * and is then terminated by another thread (`worker.terminate()`, as a pool does on a timeout)
 * gives back its engines' fds: io_uring rings, eventfds, signalfds and the cachemiss clock's
 * schedstat files. Session 21 (workers21): every terminated worker left them all (io_uring
 * engine: 2 rings, 2 eventfds, 1 signalfd; threads: 2 eventfds, 1 signalfd and its schedstat
 * files); in the terminate/process.exit campaign each process of 20 such workers was left with
 * 43-212 more fds (with the files of chains cut short, which Node's own fs leaves too).
 *
 * Harder than the workers that end by themselves (the two worker-ending-after-… tests): a
 * terminated worker runs none of its JavaScript, so no 'exit' handler of its own can close them.
 * Since session 23 they are recorded process-wide (engine/native/thread-resources.ts) and the
 * next engine started on any thread closes them
 * (worker-terminated-engines-fds-are-given-back-when-another-engine-starts.test.ts): here the
 * second worker gives back the first's, but nothing starts an engine after the second, and no
 * thread of the library runs when its termination completes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';
import { ENGINES, engineFdKinds, everyEngineFdBody, kindsDiff, runLibraryWorker, settle } from './helpers/worker-fds.js';

const TODO = 'engine/: the last terminated worker\'s engine fds stay open until an engine starts on another thread (no library thread runs when a termination completes)';

test('a worker terminated after library calls gives back its engines\' fds', { todo: TODO }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const file = join(installed.work, 'data');
  writeFileSync(file, Buffer.alloc(10_000, 3));
  const body = everyEngineFdBody(file, 5);
  const before = engineFdKinds();
  const results: unknown[] = [];
  for (const engine of ENGINES) results.push(await runLibraryWorker(installed.consumer, body, engine, 'terminate'));
  await settle();
  assert.deepEqual(results, [[10_000, 100, 1], [10_000, 100, 1]], 'the workers read the file and got the signal');
  assert.deepEqual(kindsDiff(before, engineFdKinds()), {}, 'engine fds left in the process by 2 terminated workers');
});
