/**
 * A worker thread that calls process.exit() while its readFile of a large uncached file is in
 * flight leaves no fd open on that file in the process, as a worker using node:fs/promises leaves
 * none (Node's read goes on in its thread pool and the fd is closed when it ends). hunt22
 * (session 22) found that syslet-aio/fs's readFile and readFileSyslet leave one for good: on the
 * io_uring engine the ring batch's descriptor, installed as a process fd (FIXED_FD_INSTALL) for
 * the chain readers to go on from the disk, is closed by the reader's `finally` on the worker's
 * JavaScript thread, which never runs again; the worker-exit release (engine/engine.ts
 * releaseAtWorkerExit) closes the ring, not the fds the reads were handed. Every such worker
 * leaks an fd, and keeps the file (unlinked or not), for the life of the process. Fixed (session
 * 22, coordinator, 509ada7): the installed fd is registered with its file's identity on a worker
 * thread and closed at the thread's exit if the read has not closed it (plugins/owned-fds.ts).
 *
 * The worker exits 10 ms after it sees its own fd on the file in /proc/self/fd (the file is
 * 128 MiB with its pages dropped: the read is still going); a run where the read ended first is
 * reported as such and not counted. (100 ms before session 24: on an NVMe disk that reads 128 MiB
 * in well under that, Node's own read finished first and the test failed its premise.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { syscall } from '../index.js';
import { NR } from '../engine/syscalls/nr.js';
import { tempDir } from './plugin-fixture.js';
import { fdsUnder } from './helpers/ring-reads.js';

const SIZE = 128 << 20;
const POSIX_FADV_DONTNEED = 4;
/** How long a dead worker's fd may take to close (Node's read of the rest of the file ends first). */
const SETTLE_MS = 3000;
/** How long after its fd appears the worker exits (ms): well inside a 128 MiB read from disk. */
const EXIT_AFTER_MS = 10;
const ROOT = pathToFileURL(new URL('../', import.meta.url).pathname).href;
const READERS = {
  'node:fs/promises readFile': `require('node:fs/promises').readFile(file)`,
  'syslet-aio/fs readFile': `F.readFile(file)`,
  readFileSyslet: `S.readFileSyslet(new S.Engine(), file, { maxBytes: ${SIZE * 2} })`,
} as const;

/** A worker that starts `read` and exits mid-read: 'exited', 'finished first' or 'failed: …'. */
async function exitMidRead(file: string, read: string): Promise<string> {
  const source = `
    const { parentPort } = require('node:worker_threads');
    const { readdirSync, readlinkSync } = require('node:fs');
    (async () => {
      const { tsImport } = await import('tsx/esm/api');
      const S = await tsImport(${JSON.stringify(`${ROOT}index.ts`)}, ${JSON.stringify(ROOT)});
      const F = await tsImport(${JSON.stringify(`${ROOT}fs.ts`)}, ${JSON.stringify(ROOT)});
      const file = ${JSON.stringify(file)};
      const open = () => readdirSync('/proc/self/fd').some((fd) => { try { return readlinkSync('/proc/self/fd/' + fd) === file; } catch { return false; } });
      ${read}.then(() => { parentPort.postMessage('finished first'); process.exit(0); }, (error) => { parentPort.postMessage('failed: ' + error.code); process.exit(0); });
      const poll = setInterval(() => {
        if (!open()) return;
        clearInterval(poll);
        setTimeout(() => { parentPort.postMessage('exited'); process.exit(0); }, ${EXIT_AFTER_MS});
      }, 1);
    })().catch((error) => parentPort.postMessage('failed: ' + error.stack));
  `;
  const worker = new Worker(source, { eval: true, env: { ...process.env, SYSLET_AIO_ENGINE: 'io_uring' } });
  const exited = new Promise((resolve) => worker.once('exit', resolve));
  const message = await new Promise<string>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error: Error) => resolve(`failed: ${error.message}`));
  });
  await exited;
  return message;
}

test('a worker exiting mid-readFile leaves no fd on the file, as with node:fs/promises', { timeout: 120_000 }, async (t) => {
  const { dir, cleanup } = tempDir('worker-exit-read');
  t.after(cleanup);
  const file = join(dir, 'big');
  writeFileSync(file, Buffer.alloc(SIZE, 0x5a));
  const left: Record<string, number> = {};
  const runs: Record<string, string> = {};
  for (const [name, read] of Object.entries(READERS)) {
    const before = fdsUnder(dir).length;
    const fd = openSync(file, 'r');
    assert.equal(syscall(NR.fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED), 0, 'fadvise(DONTNEED)');
    closeSync(fd);
    runs[name] = await exitMidRead(file, read);
    const ended = performance.now();
    while (fdsUnder(dir).length > before && performance.now() - ended < SETTLE_MS) await new Promise((resolve) => setTimeout(resolve, 20));
    // What one run left is not counted against the next.
    left[name] = fdsUnder(dir).length - before;
    t.diagnostic(`${name}: ${runs[name]}; ${left[name]} fd left ${Math.round(performance.now() - ended)} ms after the worker ended`);
  }
  const exited = Object.keys(runs).filter((name) => runs[name] === 'exited');
  assert.ok(exited.includes('node:fs/promises readFile'), `Node's worker exited mid-read: ${JSON.stringify(runs)}`);
  assert.ok(exited.length >= 2, `at least two workers exited mid-read: ${JSON.stringify(runs)}`);
  assert.deepEqual(Object.fromEntries(exited.map((name) => [name, left[name]])), Object.fromEntries(exited.map((name) => [name, 0])), 'fds left on the file after each worker exited mid-read');
});
