/**
 * An fd watcher for worker threads: a small thread of its own blocks in poll(2) on the fd and
 * tells the watching thread through a MessagePort, instead of koffi's uv_poll handle.
 *
 * Why not koffi's handle in a worker: `worker.terminate()` (and a pool that terminates a worker
 * on a timeout) tears the worker's environment down without running any of its JavaScript.
 * Node's teardown then runs the worker's event loop once more with JavaScript forbidden: a uv_poll
 * handle whose fd is readable at that moment (a completion that arrived in between) calls into JS
 * through koffi, which aborts the whole process (`FATAL ERROR: Error::ThrowAsJavaScriptException
 * napi_throw`); and when only the worker had loaded koffi, the handle's close callback can run
 * after koffi's code was unloaded (SIGSEGV). Measured before this module: a worker with one
 * completed `readFile` from syslet-aio/fs, then `terminate()`, crashed the process within 5
 * terminations, on both engines. A Worker and a MessagePort are Node's own handles, which its
 * teardown closes without calling into JavaScript; the waker thread is a sub-worker, which Node
 * stops (within one poll timeout) before it tears the watching thread down.
 *
 * Level-triggered like uv_poll: after each message the waker waits until the watching thread has
 * run its callback (which reads the fd) before it polls again, so a readable fd is reported once
 * per callback, not in a flood.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { POLLIN, POLLNVAL } from '../syscalls/constants.generated.js';
import { THREAD_RESOURCE_LIMITS, workerEnv } from './worker-env.js';

/** A watcher on one fd (koffi's uv_poll handle in the main thread, a waker thread in a worker). */
export interface FdWatcher {
  /** Keep the event loop alive while this watcher is active. */
  ref(): void;
  /** Let the event loop exit even though this watcher is active. */
  unref(): void;
  /** Stop watching for good. */
  close(): void;
}

/** How long one poll(2) lasts before the waker looks at its stop word again (ms). */
const POLL_TIMEOUT_MS = 100;
/** How long the watching thread waits for a new waker to be ready (ms); it warns past that. */
const READY_TIMEOUT_MS = 10_000;
/** Words of the shared state: [0] an event is handed over and not yet taken; [1] stop; [2] ready. */
const HANDED = 0;
const STOP = 1;
const READY = 2;
const STATE_WORDS = 3;

// The waker's own code: plain CommonJS, loaded without the parent's loaders (see watchFromWorker).
const WAKER_SOURCE = `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const koffi = require(workerData.koffi);
const poll = koffi.load('libc.so.6').func('int poll(void *fds, unsigned long nfds, int timeout)');
const state = new Int32Array(workerData.state);
const pollfd = Buffer.alloc(8);
pollfd.writeInt32LE(workerData.fd, 0);
pollfd.writeInt16LE(${POLLIN}, 4);
Atomics.store(state, ${READY}, 1);
Atomics.notify(state, ${READY});
while (Atomics.load(state, ${STOP}) === 0) {
  pollfd.writeInt16LE(0, 6);
  const ready = poll(pollfd, 1, ${POLL_TIMEOUT_MS});
  // Stopped while polling: the fd may already be closed, or its number reused by another file.
  if (Atomics.load(state, ${STOP}) !== 0) break;
  if (ready <= 0) continue;
  if ((pollfd.readInt16LE(6) & ${POLLNVAL}) !== 0) break;
  Atomics.store(state, ${HANDED}, 1);
  parentPort.postMessage(null);
  while (Atomics.load(state, ${HANDED}) === 1 && Atomics.load(state, ${STOP}) === 0) Atomics.wait(state, ${HANDED}, 1, ${POLL_TIMEOUT_MS});
}
`;

let koffiPath: string | null = null;

/**
 * watchFromWorker - call `onReadable` on this thread whenever `fd` becomes readable, through a
 * waker thread (for worker threads; see the module's comment). Starts unref'd, like the koffi
 * watcher.
 *
 * @param fd - an fd that stays open until close() is called on the watcher.
 * @param onReadable - run on this thread's event loop; it must read the fd (or the waker reports
 *   it again, as a level-triggered watcher would).
 * @returns the watcher; close() stops the waker within one poll timeout (100 ms).
 */
export function watchFromWorker(fd: number, onReadable: () => void): FdWatcher {
  // Resolved here, not at load time: cachemiss threads run this module bundled as CommonJS, where
  // import.meta has no url (they never watch an fd).
  koffiPath ??= createRequire(import.meta.url).resolve('koffi');
  const state = new Int32Array(new SharedArrayBuffer(STATE_WORDS * Int32Array.BYTES_PER_ELEMENT));
  const waker = new Worker(WAKER_SOURCE, {
    eval: true,
    workerData: { koffi: koffiPath, fd, state: state.buffer },
    // Plain node, as cachemiss threads: no loader from the parent's execArgv or NODE_OPTIONS.
    execArgv: [],
    env: workerEnv(),
    resourceLimits: THREAD_RESOURCE_LIMITS,
    stdout: false,
    stderr: false,
  });
  let closed = false;
  const hand = (): void => {
    Atomics.store(state, HANDED, 0);
    Atomics.notify(state, HANDED);
  };
  waker.on('message', () => {
    if (closed) return;
    try {
      onReadable();
    } finally {
      hand();
    }
  });
  waker.on('error', (error: Error) => {
    if (closed) return;
    process.emitWarning(`syslet-aio: the fd watcher thread failed, completions on fd ${String(fd)} will not wake this thread: ${error.message}`);
  });
  waker.unref();
  // Block until the waker has loaded koffi and declared poll. A thread that is terminated in the
  // middle of that aborts the process (koffi's calls fail fatally in a terminating environment),
  // and Node terminates the waker whenever this thread ends: by process.exit() in it, by
  // worker.terminate(), or by running out of work. Waiting here keeps this thread's own code from
  // ending it inside that window (under load the waker took over 600 ms to load); only a
  // terminate() from another thread while this call waits can still hit it.
  if (Atomics.wait(state, READY, 0, READY_TIMEOUT_MS) === 'timed-out') {
    process.emitWarning(`syslet-aio: the fd watcher thread for fd ${String(fd)} was not ready after ${String(READY_TIMEOUT_MS)} ms`);
  }
  return {
    ref(): void {
      if (!closed) waker.ref();
    },
    unref(): void {
      waker.unref();
    },
    close(): void {
      if (closed) return;
      closed = true;
      Atomics.store(state, STOP, 1);
      hand();
      waker.unref();
    },
  };
}
