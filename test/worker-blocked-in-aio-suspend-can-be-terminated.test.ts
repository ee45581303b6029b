/**
 * A worker thread blocked in the POSIX layer's synchronous waits — aio_suspend, or
 * lio_listio(LIO_WAIT) — on a request that does not complete can be terminated:
 * `worker.terminate()` resolves, and the process can then exit. JavaScript's own synchronous wait
 * (Atomics.wait) is ended by terminate() this way (73 ms); in C, aio_suspend is a cancellation
 * point. (Node's own fs.readSync of an empty FIFO is not: a native call it cannot interrupt.)
 *
 * hunt25 (session 25), from the packed package: a worker's aio_read of an empty FIFO, then the
 * aio_suspend loop of docs/posix-aio.md (or a lio_listio(LIO_WAIT) of a read of it); 300 ms later
 * terminate() was still pending at 5 s and the main thread's process.exit() hung (killed at 20 s),
 * both engines, both calls, 4 of 4. The wait sleeps in ppoll through koffi (engine-wake.ts
 * waitUntil), and V8's TerminateExecution takes effect only when the thread runs JavaScript again.
 *
 * Runs the installed package with plain node (workers do not get the tsx loader) in a child with
 * a time limit, so a hang fails the test.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedScriptWithFifo, runOnEngine } from './helpers/installed-script.js';

function childSource(fifo: string, call: 'aio_suspend' | 'lio_listio'): string {
  const workerSource = `
    const { parentPort } = require('node:worker_threads');
    const { openSync } = require('node:fs');
    import('syslet-aio').then((L) => {
      const fd = openSync(${JSON.stringify(fifo)}, 'r+');
      parentPort.postMessage('waiting');
      if (${JSON.stringify(call)} === 'aio_suspend') {
        const cb = new L.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_offset: 0 });
        L.aio_read(cb);
        while (L.aio_error(cb) === L.EINPROGRESS) L.aio_suspend([cb], 1, null);
      } else {
        const cb = new L.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_offset: 0, aio_lio_opcode: L.LIO_READ });
        L.lio_listio(L.LIO_WAIT, [cb], 1, null);
      }
      parentPort.postMessage('returned');
    }).catch((error) => parentPort.postMessage('failed: ' + error.stack));
  `;
  return `
    import { Worker } from 'node:worker_threads';
    const worker = new Worker(${JSON.stringify(workerSource)}, { eval: true });
    const first = await new Promise((resolve) => { worker.once('message', resolve); worker.once('error', (error) => resolve('error: ' + error.message)); });
    if (first !== 'waiting') { console.log(first); process.exit(2); }
    // Long enough for the wait to have begun (and the read's thread to have loaded and blocked).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const outcome = await Promise.race([worker.terminate().then(() => 'terminated'), new Promise((resolve) => setTimeout(() => resolve('terminate() pending after 5 s'), 5000))]);
    console.log(outcome);
    process.exit(0);
  `;
}


for (const engine of ['io_uring', 'threads'] as const) {
  for (const call of ['aio_suspend', 'lio_listio'] as const) {
    test(`a worker blocked in ${call} can be terminated, and the process exits (${engine} engine)`, { timeout: 240_000 }, async (t) => {
      const { script, cwd } = await installedScriptWithFifo(t, 'terminate-suspended-worker.mjs', (fifo) => childSource(fifo, call));
      const result = await runOnEngine(script, cwd, engine);
      assert.deepEqual(
        { code: result.code, signal: result.signal, said: result.stdout.trim() },
        { code: 0, signal: null, said: 'terminated' },
        `(SIGKILL: the process could not exit within 20 s) ${result.stderr.slice(0, 2000)}`,
      );
    });
  }
}
