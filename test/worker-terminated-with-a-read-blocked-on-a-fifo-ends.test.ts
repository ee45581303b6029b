// A worker thread whose aio.read waits on an empty FIFO (a request that holds a cachemiss thread
// blocked in read(2) until data comes) can be terminated: worker.terminate() resolves, and the
// process can exit.
//
// Found by session 18's hunt (docs/reliability.md, "Session 18: hunt18"): terminate() never
// resolved (5 s, both engines, also with a C-style aio_read and with syslet-aio/fs's
// FileHandle.read), and after it the main thread's process.exit() hung too, because Node
// terminates and joins every worker at exit. A worker that ends itself with process.exit() is
// fine: its 'exit' handler interrupts its pool's blocked threads (engine/pool.ts). A terminated
// worker runs no JavaScript, so its pool's threads stay blocked in read(2) and Node's join of
// them never returns. (Node's own fs.read of a FIFO in a worker hangs terminate() the same way:
// its thread pool request holds the worker's loop open. syslet-aio already does better for
// process.exit() in the worker, where Node hangs too.) Fixed in session 24: each cachemiss
// thread's watchdog timer interrupts its blocked call every 100 ms (engine/cachemiss-watchdog.ts),
// so the thread returns to JavaScript, where Node's stop takes effect.
//
// Runs the installed package with plain node (workers do not get the tsx loader) in a child
// with a time limit, so a hang fails the test.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedScriptWithFifo, runOnEngine } from './helpers/installed-script.js';

function childSource(fifo: string): string {
  const workerSource = `
    const { parentPort } = require('node:worker_threads');
    const { openSync } = require('node:fs');
    (async () => {
      const { aio } = await import('syslet-aio');
      const fd = openSync(${JSON.stringify(fifo)}, 'r+');
      aio.read(fd, Buffer.alloc(16), null).catch(() => {});
      // Long enough for the read's cachemiss thread to have loaded and blocked.
      setTimeout(() => parentPort.postMessage('blocked'), 1500);
    })().catch((error) => parentPort.postMessage('failed: ' + error.stack));
  `;
  return `
    import { Worker } from 'node:worker_threads';
    const worker = new Worker(${JSON.stringify(workerSource)}, { eval: true });
    const first = await new Promise((resolve) => { worker.once('message', resolve); worker.once('error', (error) => resolve('error: ' + error.message)); });
    if (first !== 'blocked') { console.log(first); process.exit(2); }
    const outcome = await Promise.race([worker.terminate().then(() => 'terminated'), new Promise((resolve) => setTimeout(() => resolve('terminate() pending after 5 s'), 5000))]);
    console.log(outcome);
    process.exit(0);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`a worker terminated with an aio.read blocked on an empty FIFO ends, and the process exits (${engine} engine)`, {
    timeout: 240_000,
  }, async (t) => {
    const { script, cwd } = await installedScriptWithFifo(t, 'terminate-blocked-worker.mjs', childSource);
    const result = await runOnEngine(script, cwd, engine);
    assert.deepEqual(
      { code: result.code, signal: result.signal, said: result.stdout.trim() },
      { code: 0, signal: null, said: 'terminated' },
      `(SIGKILL: the process could not exit within 20 s) ${result.stderr.slice(0, 2000)}`,
    );
  });
}
