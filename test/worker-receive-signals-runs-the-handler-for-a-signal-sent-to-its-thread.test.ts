/**
 * In a worker thread, `receiveSignals(signo, handler)` runs the handler for a signal directed at
 * that thread even when no request completes: as in the main thread, where it runs within
 * milliseconds. Session 21 (workers21) found that a worker's handler never ran for a signal sent
 * to its thread with tgkill(2) (2 s waited, 0 of 1 on both engines; the main thread: 1 of 1 in
 * 11-14 ms). A completion signal (SIGEV_SIGNAL) is seen only because its request's completion
 * wakes the worker, which then drains the signalfd.
 *
 * Cause: in a worker the signalfd is watched by the poll waker thread
 * (engine/native/poll-waker.ts), and a signalfd is readable for a thread only when a signal is
 * pending for the process or for *that* thread: a signal pending on the worker's thread never
 * makes the waker's poll(2) return, so the worker is never told to read it. Such signals come from
 * a chain or plugin of another thread (`rt_tgsigqueueinfo` with the worker's tid), a native addon's
 * pthread_kill, or a completion signal whose request ended in another thread's engine. Fixed in
 * session 24: a worker with handlers also reads its signalfd every 20 ms itself (shim/signals.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { installPackedTarball } from './helpers/tarball.js';
import { ENGINES, runLibraryWorker } from './helpers/worker-fds.js';

test('a worker\'s receiveSignals handler runs for a signal sent to the worker\'s thread', async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  // getpid is 39, gettid 186, tgkill 234 (x86-64): the signal goes to this thread only.
  const body = `
    let received = 0;
    const rx = S.receiveSignals(S.SIGRTMIN + 4, (info) => { received += info.signo === S.SIGRTMIN + 4 ? 1 : 100; });
    const sent = S.syscall(234, S.syscall(39), S.syscall(186), S.SIGRTMIN + 4);
    for (let i = 0; i < 200 && received === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    rx.dispose();
    return [sent, received];
  `;
  const results: unknown[] = [];
  for (const engine of ENGINES) results.push(await runLibraryWorker(installed.consumer, body, engine, 'return'));
  assert.deepEqual(results, [[0, 1], [0, 1]], 'tgkill returned 0 and the handler ran once, on each engine');
});
