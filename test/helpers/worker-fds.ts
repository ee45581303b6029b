/**
 * Worker threads that load the installed package (test/helpers/tarball.ts), and a count of the
 * engine's kinds of descriptor the process holds: for the tests that a worker which used the
 * library gives back its engine's fds when it ends (session 21, workers21).
 *
 * The package as a user has it, not the sources: a worker does not inherit the tsx loader of
 * `node --import tsx` for `eval` code (nor, on Node 20, for a `.ts` file given
 * `execArgv: ['--import', 'tsx']`: ERR_UNKNOWN_FILE_EXTENSION), and tsx's `tsImport` works but
 * makes each cachemiss thread of a worker compile the engine again (a worker on the threads
 * engine then takes about 10 s to end, against 0.2-0.5 s with the package).
 */
import { Worker } from 'node:worker_threads';
import { readdirSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** How the worker ends once its body has run. */
export type WorkerEnd = 'return' | 'exit' | 'terminate';

/** The engines a test runs its workers on (each worker's own SYSLET_AIO_ENGINE). */
export const ENGINES = ['io_uring', 'threads'] as const;

/**
 * engineFdKinds - how many descriptors of the kinds an engine makes the process holds: the
 * io_uring ring, the eventfds, the signalfd, the cachemiss clock's /proc/…/schedstat files and
 * /proc/self/mountinfo (remote-mounts.ts).
 * Other fds (module files, pipes, libuv's own) are left out: they are not the library's.
 *
 * @returns a count per kind (`'anon_inode:[io_uring]'`, `'schedstat'`...), kinds with none left out.
 */
export function engineFdKinds(): Record<string, number> {
  const kinds: Record<string, number> = {};
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the directory's own fd, closed by now
    }
    // (mountinfo: engine/remote-mounts.ts polls it; a worker's own was left open for good until session 29.)
    const kind = /^anon_inode:\[(io_uring|eventfd|signalfd)\]$/.test(target) ? target : target.endsWith('/schedstat') ? 'schedstat' : /^\/proc\/\d+\/mountinfo$/.test(target) ? 'mountinfo' : null;
    if (kind !== null) kinds[kind] = (kinds[kind] ?? 0) + 1;
  }
  return kinds;
}

/**
 * kindsDiff - what `after` holds more (or fewer) of than `before`.
 *
 * @returns the kinds whose counts differ, with the difference.
 */
export function kindsDiff(before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const diff: Record<string, number> = {};
  for (const kind of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const delta = (after[kind] ?? 0) - (before[kind] ?? 0);
    if (delta !== 0) diff[kind] = delta;
  }
  return diff;
}

/**
 * runLibraryWorker - start a worker thread that imports the installed package's root as `S` and
 * its syslet-aio/fs as `F`, runs `body` (the inside of an async function; it may use `require`), posts
 * what the body returned, then ends as `end` says: returns (its event loop empties), calls
 * `process.exit(0)`, or is terminated by this thread.
 *
 * @param consumer - the folder the package is installed in (InstalledPackage.consumer).
 * @param body - JavaScript run in the worker; its return value is posted back as JSON.
 * @param engine - the worker's SYSLET_AIO_ENGINE.
 * @param end - how the worker ends.
 * @returns what the body returned, or `'failed: …'` with the worker's error.
 */
export async function runLibraryWorker(consumer: string, body: string, engine: string, end: WorkerEnd): Promise<unknown> {
  const dist = join(consumer, 'node_modules', 'syslet-aio', 'dist', 'pkg');
  const source = `
    const { parentPort } = require('node:worker_threads');
    (async () => {
      const S = await import(${JSON.stringify(pathToFileURL(join(dist, 'index.js')).href)});
      const F = await import(${JSON.stringify(pathToFileURL(join(dist, 'fs.js')).href)});
      const value = await (async () => { ${body} })();
      parentPort.postMessage(JSON.stringify(value ?? null));
      if (${JSON.stringify(end)} === 'exit') process.exit(0);
    })().catch((error) => { parentPort.postMessage('failed: ' + (error && error.stack)); });
  `;
  const worker = new Worker(source, { eval: true, env: { ...process.env, SYSLET_AIO_ENGINE: engine } });
  const exited = new Promise<number>((resolve) => worker.once('exit', resolve));
  const message = await new Promise<string>((resolve) => {
    worker.once('message', resolve);
    worker.once('error', (error: Error) => resolve(`failed: ${error.stack ?? error.message}`));
  });
  if (end === 'terminate') await worker.terminate();
  await exited;
  return message.startsWith('failed: ') ? message : JSON.parse(message);
}

/** settle - wait a little after workers ended: Node closes a worker's own handles asynchronously. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 300));
}

/**
 * everyEngineFdBody - a runLibraryWorker body that makes every kind of engine fd: receiveSignals
 * (a signalfd), a syslet-aio/fs readFile of `file` and a SIGEV_SIGNAL aio_read of its first 100
 * bytes (the two layers' engines: rings, eventfds, cachemiss clock files), then waits 1.5 s so
 * the cachemiss threads have loaded (terminating one while it loads koffi aborts the process:
 * docs/reliability.md "Not done", not what these tests are about).
 *
 * @param signo - the real-time signal (offset from SIGRTMIN) the request completes with.
 * @returns the body: it returns [bytes readFile read, aio_return, signals received].
 */
export function everyEngineFdBody(file: string, signo: number): string {
  return `
    let received = 0;
    S.receiveSignals(S.SIGRTMIN + ${signo}, () => { received++; });
    const whole = await F.readFile(${JSON.stringify(file)});
    const fd = require('node:fs').openSync(${JSON.stringify(file)}, 'r');
    const cb = new S.Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(100), aio_offset: 0, aio_sigevent: { sigev_notify: S.SIGEV_SIGNAL, sigev_signo: S.SIGRTMIN + ${signo} } });
    if (S.aio_read(cb) !== 0) throw new Error('aio_read ' + S.errnoName(S.errno()));
    for (let i = 0; i < 200 && received === 0; i++) await new Promise((resolve) => setTimeout(resolve, 10));
    require('node:fs').closeSync(fd);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    return [whole.length, S.aio_return(cb), received];
  `;
}
