/**
 * A process 'exit' listener that makes one more read — here an aio.read (or a C-style aio_read)
 * of an empty FIFO — after the program has already used the library. Node runs nothing
 * asynchronous after 'exit', so such a read simply never completes and the process exits with
 * its code (node:fs's fs.read there does exactly that). hunt28 (packed package, both engines,
 * every run): the process died of SIGSEGV inside the call, in uv_ref(NULL) called from koffi — the
 * library's own 'exit' listener, registered when the engine started and so run first, closes the
 * engine's fd watcher (engine/engine-wake.ts closeAtExit), and the new request refs the closed
 * koffi poll handle. A read the engine completes inline (a cached file) was fine, and so was the
 * same FIFO read when the library was first used inside the listener.
 *
 * Runs the installed package with plain node in a child with a time limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { installedScriptWithFifo, runOnEngine } from './helpers/installed-script.js';

function childSource(fifo: string, call: 'aio.read' | 'aio_read'): string {
  return `
    import { openSync, writeSync } from 'node:fs';
    import { aio, Aiocb, aio_read } from 'syslet-aio';
    const fifo = openSync(${JSON.stringify(fifo)}, 'r+');
    // The program has used the library before it ends (a cached read completes inline).
    await aio.read(openSync('/proc/self/stat', 'r'), Buffer.alloc(16), 0);
    process.on('exit', () => {
      ${call === 'aio.read' ? 'aio.read(fifo, Buffer.alloc(16), null).catch(() => {});' : 'aio_read(new Aiocb({ aio_fildes: fifo, aio_buf: Buffer.alloc(16), aio_nbytes: 16 }));'}
      writeSync(1, 'submitted\\n');
    });
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  for (const call of ['aio.read', 'aio_read'] as const) {
    test(`an 'exit' listener's ${call} of an empty FIFO after the engine ran lets the process exit with its code (${engine} engine)`, {
      timeout: 240_000,
    }, async (t) => {
      const { script, cwd } = await installedScriptWithFifo(t, 'exit-listener-read.mjs', (fifo) => childSource(fifo, call));
      const result = await runOnEngine(script, cwd, engine);
      assert.deepEqual(
        { code: result.code, signal: result.signal, said: result.stdout.trim() },
        { code: 0, signal: null, said: 'submitted' },
        result.stderr.slice(0, 2000),
      );
    });
  }
}
