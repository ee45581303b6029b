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
 * One waker thread per watching thread, for all its fds (up to {@link SLOTS} each; a second waker
 * past that): every engine of a worker and its signalfd share it. Each waker is one more isolate
 * that loads koffi, and a worker terminated while any of its threads is inside koffi's
 * initialisation aborts the process (Koromix/koffi#190; docs/reliability.md): a worker with
 * syslet-aio/fs, the POSIX layer and receiveSignals started three wakers before session 23.
 *
 * Level-triggered like uv_poll: after it reports readable fds the waker waits until the watching
 * thread has run their callbacks (which read the fds) before it polls again, so a readable fd is
 * reported once per callback, not in a flood. An fd added while the waker sleeps in poll(2) wakes
 * it through a control eventfd the watching thread writes.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLIN, POLLNVAL } from '../syscalls/constants.generated.js';
import { NR } from '../syscalls/nr.js';
import { allocNative, releaseNative, type NativeBlock } from './memory.js';
import { syscall } from './libc.js';
import { THREAD_RESOURCE, closeHeld, holdForThisThread } from './thread-resources.js';
import { OWN_THREAD_KOFFI_CONFIG, THREAD_RESOURCE_LIMITS, workerEnv } from './worker-env.js';

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
/** The fds one waker watches at most. */
const SLOTS = 32;
/**
 * Words of the shared state: [0] stop; [1] ready; [2] fds reported and not yet taken back; then
 * per slot its fd (FREE: none; DEAD: the kernel said POLLNVAL) and whether it is handed over.
 */
const STOP = 0;
const READY = 1;
const OUTSTANDING = 2;
const SLOT_WORDS = 3;
const FREE = -1;
const DEAD = -2;
const STATE_WORDS = SLOT_WORDS + 2 * SLOTS;

// The waker's own code: plain CommonJS, loaded without the parent's loaders (see watchFromWorker).
const WAKER_SOURCE = `'use strict';
const { workerData, parentPort } = require('node:worker_threads');
const koffi = require(workerData.koffi);
koffi.config(workerData.koffiConfig);
const libc = koffi.load('libc.so.6');
const poll = libc.func('int poll(void *fds, unsigned long nfds, int timeout)');
const read = libc.func('long read(int fd, void *buf, unsigned long count)');
const state = new Int32Array(workerData.state);
const control = workerData.control;
const pollfds = Buffer.alloc(8 * (${SLOTS} + 1));
const slotOf = new Int32Array(${SLOTS} + 1);
const fdOf = new Int32Array(${SLOTS} + 1);
const drained = Buffer.alloc(8);
Atomics.store(state, ${READY}, 1);
Atomics.notify(state, ${READY});
while (Atomics.load(state, ${STOP}) === 0) {
  pollfds.writeInt32LE(control, 0);
  pollfds.writeInt16LE(${POLLIN}, 4);
  pollfds.writeInt16LE(0, 6);
  let count = 1;
  for (let slot = 0; slot < ${SLOTS}; slot++) {
    const fd = Atomics.load(state, ${SLOT_WORDS} + 2 * slot);
    if (fd < 0 || Atomics.load(state, ${SLOT_WORDS} + 2 * slot + 1) !== 0) continue;
    pollfds.writeInt32LE(fd, 8 * count);
    pollfds.writeInt16LE(${POLLIN}, 8 * count + 4);
    pollfds.writeInt16LE(0, 8 * count + 6);
    slotOf[count] = slot;
    fdOf[count] = fd;
    count++;
  }
  const ready = poll(pollfds, count, ${POLL_TIMEOUT_MS});
  // Stopped while polling: the fds may already be closed, or their numbers reused.
  if (Atomics.load(state, ${STOP}) !== 0) break;
  if (ready <= 0) continue;
  if (pollfds.readInt16LE(6) !== 0) read(control, drained, 8);
  let reported = 0;
  for (let i = 1; i < count; i++) {
    const revents = pollfds.readInt16LE(8 * i + 6);
    if (revents === 0) continue;
    const slot = slotOf[i];
    const at = ${SLOT_WORDS} + 2 * slot;
    // Removed (or given to another fd) while polling: not this slot's event.
    if (Atomics.load(state, at) !== fdOf[i]) continue;
    if ((revents & ${POLLNVAL}) !== 0) {
      Atomics.compareExchange(state, at, fdOf[i], ${DEAD});
      continue;
    }
    Atomics.store(state, at + 1, 1);
    Atomics.add(state, ${OUTSTANDING}, 1);
    parentPort.postMessage(slot);
    reported++;
  }
  if (reported === 0) continue;
  for (;;) {
    const outstanding = Atomics.load(state, ${OUTSTANDING});
    if (outstanding <= 0 || Atomics.load(state, ${STOP}) !== 0) break;
    Atomics.wait(state, ${OUTSTANDING}, outstanding, ${POLL_TIMEOUT_MS});
  }
}
`;

let koffiPath: string | null = null;

/** What one watched fd asked for. */
interface Watched {
  readonly onReadable: () => void;
  refd: boolean;
}

/** One waker thread and the fds it watches for this thread. */
class Waker {
  readonly #state = new Int32Array(new SharedArrayBuffer(STATE_WORDS * Int32Array.BYTES_PER_ELEMENT));
  readonly #watched: (Watched | null)[] = new Array<Watched | null>(SLOTS).fill(null);
  readonly #worker: Worker;
  readonly #control: number;
  readonly #one: NativeBlock;
  #active = 0;
  #refs = 0;
  #stopped = false;
  #controlClosed = false;

  constructor(control: number) {
    this.#control = control;
    this.#one = allocNative(8, 8);
    new DataView(this.#one.buffer).setBigUint64(0, 1n, true);
    for (let slot = 0; slot < SLOTS; slot++) this.#state[SLOT_WORDS + 2 * slot] = FREE;
    koffiPath ??= createRequire(import.meta.url).resolve('koffi');
    this.#worker = new Worker(WAKER_SOURCE, {
      eval: true,
      workerData: { koffi: koffiPath, koffiConfig: { ...OWN_THREAD_KOFFI_CONFIG }, control, state: this.#state.buffer },
      // Plain node, as cachemiss threads: no loader from the parent's execArgv or NODE_OPTIONS.
      execArgv: [],
      env: workerEnv(),
      resourceLimits: THREAD_RESOURCE_LIMITS,
      stdout: false,
      stderr: false,
    });
    this.#worker.on('message', (slot: number) => this.#report(slot));
    this.#worker.on('error', (error: Error) => {
      if (this.#stopped) return;
      process.emitWarning(`syslet-aio: the fd watcher thread failed, completions will not wake this thread: ${error.message}`);
    });
    // The control eventfd is closed once the waker can no longer poll it (its number could be
    // reused), or when this thread ends (its 'exit' handlers run, the waker's 'exit' never would).
    this.#worker.once('exit', () => {
      this.closeControl();
      everyWaker.delete(this);
    });
    this.#worker.unref();
    // Block until the waker has loaded koffi and declared poll. A thread that is terminated in the
    // middle of that aborts the process (koffi's calls fail fatally in a terminating environment),
    // and Node terminates the waker whenever this thread ends: by process.exit() in it, by
    // worker.terminate(), or by running out of work. Waiting here keeps this thread's own code from
    // ending it inside that window (under load the waker took over 600 ms to load); only a
    // terminate() from another thread while this call waits can still hit it.
    if (Atomics.wait(this.#state, READY, 0, READY_TIMEOUT_MS) === 'timed-out') {
      process.emitWarning(`syslet-aio: the fd watcher thread was not ready after ${String(READY_TIMEOUT_MS)} ms`);
    }
  }

  /**
   * closeControl - close the control eventfd: the waker has exited, or this thread is ending
   * (the waker is stopped first, and looks at its stop word before it reads the control fd).
   */
  closeControl(): void {
    if (this.#controlClosed) return;
    this.#controlClosed = true;
    Atomics.store(this.#state, STOP, 1);
    closeHeld(THREAD_RESOURCE.eventfd, this.#control);
    releaseNative(this.#one);
  }

  /** Whether another fd can be watched here. */
  get hasRoom(): boolean {
    return !this.#stopped && this.#active < SLOTS;
  }

  /** watch - report `fd` readable to `onReadable` from now on. */
  watch(fd: number, onReadable: () => void): FdWatcher {
    const slot = this.#watched.indexOf(null);
    const entry: Watched = { onReadable, refd: false };
    this.#watched[slot] = entry;
    this.#active++;
    const state = this.#state;
    Atomics.store(state, SLOT_WORDS + 2 * slot + 1, 0);
    Atomics.store(state, SLOT_WORDS + 2 * slot, fd);
    // The waker may be asleep in poll(2) without this fd: wake it.
    syscall(NR.write, this.#control, this.#one.address, 8);
    let closed = false;
    return {
      ref: () => {
        if (closed || entry.refd) return;
        entry.refd = true;
        if (this.#refs++ === 0) this.#worker.ref();
      },
      unref: () => {
        if (!entry.refd) return;
        entry.refd = false;
        if (--this.#refs === 0) this.#worker.unref();
      },
      close: () => {
        if (closed) return;
        closed = true;
        if (entry.refd) {
          entry.refd = false;
          if (--this.#refs === 0) this.#worker.unref();
        }
        this.#watched[slot] = null;
        Atomics.store(state, SLOT_WORDS + 2 * slot, FREE);
        // An event reported and not yet taken is taken now: the waker must not wait for it.
        if (Atomics.exchange(state, SLOT_WORDS + 2 * slot + 1, 0) === 1) this.#taken();
        if (--this.#active === 0) this.#stop();
      },
    };
  }

  /** The waker reported the fd in `slot` readable: run its callback, then give the slot back. */
  #report(slot: number): void {
    const entry = this.#watched[slot] ?? null;
    const handed = SLOT_WORDS + 2 * slot + 1;
    try {
      if (entry !== null && !this.#stopped) entry.onReadable();
    } finally {
      if (Atomics.exchange(this.#state, handed, 0) === 1) this.#taken();
    }
  }

  #taken(): void {
    Atomics.sub(this.#state, OUTSTANDING, 1);
    Atomics.notify(this.#state, OUTSTANDING);
  }

  /** No fd is watched any more: the waker ends within one poll timeout. */
  #stop(): void {
    this.#stopped = true;
    Atomics.store(this.#state, STOP, 1);
    Atomics.notify(this.#state, OUTSTANDING);
    if (!this.#controlClosed) syscall(NR.write, this.#control, this.#one.address, 8);
    this.#worker.unref();
  }
}

/** This thread's wakers (usually one) until each has exited; a stopped one has no room. */
const everyWaker = new Set<Waker>();

/**
 * watchFromWorker - call `onReadable` on this thread whenever `fd` becomes readable, through this
 * thread's waker thread (for worker threads; see the module's comment). Starts unref'd, like the
 * koffi watcher.
 *
 * @param fd - an fd that stays open until close() is called on the watcher.
 * @param onReadable - run on this thread's event loop; it must read the fd (or the waker reports
 *   it again, as a level-triggered watcher would).
 * @returns the watcher; after close() the fd is no longer polled (within one poll timeout).
 * @throws SyscallError-like Error when the control eventfd cannot be made (EMFILE).
 */
export function watchFromWorker(fd: number, onReadable: () => void): FdWatcher {
  let waker: Waker | undefined;
  for (const candidate of everyWaker) if (candidate.hasRoom) waker = candidate;
  if (waker === undefined) {
    const control = syscall(NR.eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (control < 0) throw Object.assign(new Error(`eventfd2 for the fd watcher thread failed: ${String(-control)}`), { errno: control, syscall: 'eventfd2' });
    // Given back by another thread if this worker is terminated (thread-resources.ts).
    holdForThisThread(THREAD_RESOURCE.eventfd, control);
    if (everyWaker.size === 0) {
      // A worker that ends gives its control eventfds back: the process outlives it.
      process.once('exit', () => {
        for (const each of everyWaker) each.closeControl();
      });
    }
    waker = new Waker(control);
    everyWaker.add(waker);
  }
  return waker.watch(fd, onReadable);
}
