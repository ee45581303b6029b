/**
 * A worker thread that uses syslet-aio/fs, the POSIX layer and receiveSignals watches all their
 * fds (each engine's eventfd, the signalfd) from one waker thread, not one thread per fd.
 *
 * Why it matters: every thread the library starts loads koffi, and a worker terminated while any
 * of its threads is inside koffi's initialisation aborts the whole process (Koromix/koffi#190,
 * docs/reliability.md). Before session 23 such a worker started three wakers on the io_uring
 * engine; with 40 workers per run, each terminated 30-90 ms after it started reading, 4 of 8 runs
 * aborted; with one waker, 0 of 20. The abort itself is left to that measurement (it is a race);
 * this test pins the thread count that decides it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { installPackedTarball } from './helpers/tarball.js';

/** Thread ids of this process now. */
function threads(): Set<string> {
  return new Set(readdirSync('/proc/self/task'));
}

/**
 * Runs `source` (CommonJS) in a worker; resolves with what it posts, after counting the threads
 * that appeared while it ran. Counted as new thread ids, not as a difference of totals: a thread
 * of an earlier test still ending (the test before this one ends 60 workers) would cancel one.
 */
async function threadsAddedBy(source: string): Promise<{ added: number; posted: unknown }> {
  const before = threads();
  const worker = new Worker(source, { eval: true, env: { ...process.env, SYSLET_AIO_ENGINE: 'io_uring' } });
  const posted = await new Promise<unknown>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error: Error) => resolve(`failed: ${error.message}`));
  });
  const added = [...threads()].filter((tid) => !before.has(tid)).length;
  await worker.terminate();
  return { added, posted };
}

test('a worker using syslet-aio/fs, aio.read and receiveSignals starts one waker thread', { timeout: 240_000 }, async (t) => {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const file = join(installed.work, 'data');
  writeFileSync(file, Buffer.alloc(10_000, 3));
  const dist = join(installed.consumer, 'node_modules', 'syslet-aio', 'dist', 'pkg');
  const plain = await threadsAddedBy(`
    require('node:fs').readFileSync(${JSON.stringify(file)});
    require('node:worker_threads').parentPort.postMessage('ready');
    setInterval(() => {}, 1000);
  `);
  const library = await threadsAddedBy(`
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const S = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
      const F = await import(${JSON.stringify(pathToFileURL(join(dist, 'fs.js')).href)});
      const probe = new S.Engine({ minThreads: 0 });
      const kind = probe.asyncEngine.kind;
      await probe.close();
      S.receiveSignals(S.SIGRTMIN + 7, () => {});
      const whole = await F.readFile(${JSON.stringify(file)});
      const fd = require('node:fs').openSync(${JSON.stringify(file)}, 'r');
      const read = await S.aio.read(fd, Buffer.alloc(100), 0);
      // Let anything the calls started finish starting.
      await new Promise((resolve) => setTimeout(resolve, 500));
      parentPort.postMessage([kind, whole.length, read.bytesRead ?? read]);
      setInterval(() => {}, 1000);
    })().catch((error) => parentPort.postMessage('failed: ' + error.stack));
  `);
  const [kind, length] = library.posted as [string, number, unknown];
  if (kind !== 'io_uring') {
    t.skip(`io_uring unavailable in the worker (${String(library.posted)}): the threads engine starts cachemiss threads as well`);
    return;
  }
  assert.equal(length, 10_000, `the worker read the file (${JSON.stringify(library.posted)})`);
  assert.equal(library.added - plain.added, 1, `threads beyond a plain worker's: the waker only (plain worker added ${plain.added}, the library's ${library.added})`);
});
