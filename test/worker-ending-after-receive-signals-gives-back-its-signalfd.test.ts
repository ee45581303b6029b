/**
 * A worker thread that received signals (`receiveSignals`, an aio_read's SIGEV_SIGNAL, `dispose()`) and then ends (its
 * event loop empties, or it calls `process.exit()`) gives back its signalfd: the process holds no
 * more signalfds than before the worker started (session 21, workers21: each such worker left
 * one, on both engines; a worker pool that replaces its workers runs out of fds).
 *
 * Cause: shim/signals.ts keeps one signalfd for the life of the module (a completion may still be
 * on its way after dispose, so the signal stays blocked and the fd open); its 'exit' hook closes
 * the watcher only. When the thread itself ends, no signal can be delivered to it any more, so
 * the fd can go then: a worker's `process.on('exit')` runs on both of these endings.
 *
 * Fixed (session 21, coord21): shim/signals.ts closes a worker thread's signalfd at its 'exit'.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';
import { ENGINES, engineFdKinds, kindsDiff, runLibraryWorker, settle, type WorkerEnd } from './helpers/worker-fds.js';


test('a worker that received signals gives back its signalfd when it returns or calls process.exit()', async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  // The completion signal of an aio_read (SIGEV_SIGNAL) arrives through the signalfd.
  const file = join(installed.work, 'data');
  writeFileSync(file, 'some bytes');
  const body = `
    let received = 0;
    const rx = S.receiveSignals(S.SIGRTMIN + 3, () => { received++; });
    const fd = require('node:fs').openSync(${JSON.stringify(file)}, 'r');
    const cb = new S.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(10), aio_offset: 0, aio_sigevent: { sigev_notify: S.SIGEV_SIGNAL, sigev_signo: S.SIGRTMIN + 3 } });
    if (S.aio_read(cb) !== 0) throw new Error('aio_read ' + S.errnoName(S.errno()));
    for (let i = 0; i < 200 && received === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    require('node:fs').closeSync(fd);
    rx.dispose();
    return received;
  `;
  const before = engineFdKinds();
  const results: unknown[] = [];
  for (const engine of ENGINES) {
    for (const end of ['return', 'exit'] satisfies WorkerEnd[]) results.push(await runLibraryWorker(installed.consumer, body, engine, end));
  }
  await settle();
  assert.deepEqual(results, [1, 1, 1, 1], 'each worker received its signal');
  // Only the signalfds: the POSIX engine's own fds are worker-ending-after-posix-aio-requests's.
  assert.equal(kindsDiff(before, engineFdKinds())['anon_inode:[signalfd]'], undefined, 'signalfds left in the process by 4 ended workers');
});
