/**
 * Receiving completion signals. A SIGEV_SIGNAL request's chain ends with a notify.signal atom
 * that queues a real signal (si_code SI_ASYNCIO, si_value = sigev_value) at the thread running
 * JavaScript. JS cannot run a C signal handler, and the default action of a real-time signal
 * kills the process, so a program that wants these signals asks for them here: the signal is
 * blocked in the JS thread (rt_sigprocmask) and read, with its siginfo, from a signalfd that
 * libuv watches. Handlers run on the event loop — or at once inside aio_suspend /
 * lio_listio(LIO_WAIT), which then return -1/EINTR as a C call interrupted by a handler would.
 *
 * This is the library's own native use of the syscall boundary (not atoms): it configures the
 * calling thread itself.
 */
import { isMainThread } from 'node:worker_threads';
import { allocNative, installHarmlessHandler, syscall, watchReadable, THREAD_RESOURCE, holdForThisThread, letGo, type FdWatcher } from '../engine/native/index.js';
import { readWord } from '../engine/words.js';
import { NR } from '../engine/syscalls/nr.js';
import { SyscallError } from '../engine/errors.js';
import { GLIBC_RESERVED_SIGNALS } from '../engine/worker-state.js';
import { SIG_BLOCK, SFD_NONBLOCK, SFD_CLOEXEC } from '../engine/syscalls/constants.generated.js';

const SYS_read = NR.read;
const SYS_rt_sigprocmask = NR.rt_sigprocmask;
const SYS_signalfd4 = NR.signalfd4;
const SYS_close = NR.close;
const SIGKILL = 9;
const SIGSTOP = 19;
// struct signalfd_siginfo (128 bytes), offsets checked with gcc: ssi_signo@0, ssi_code@8,
// ssi_pid@12, ssi_uid@16, ssi_int@44, ssi_ptr@48.
const RECORD = 128;
const BATCH = 16;

/** One received signal, decoded from its siginfo. */
export interface AioSignalInfo {
  /** The signal number. */
  readonly signo: number;
  /** si_code: SI_ASYNCIO (-4) for AIO completions, SI_TKILL/SI_USER for kill-style senders. */
  readonly code: number;
  /** The sender's pid (this process for AIO completions). */
  readonly pid: number;
  /** The sender's uid. */
  readonly uid: number;
  /** si_value as a pointer (sival_ptr, all 8 bytes): a number, or a bigint beyond 2^53. */
  readonly value: number | bigint;
  /** si_value as an int (sival_int, the low 4 bytes). */
  readonly int: number;
}

/** Receives one signal. */
export type AioSignalHandler = (info: AioSignalInfo) => void;

/** A registration; dispose it to stop receiving. */
export interface SignalReceiver extends Disposable {
  /** Stop calling the handler. The signal stays blocked in the JS thread (see receiveSignals). */
  dispose(): void;
}

const handlers = new Map<number, Set<AioSignalHandler>>();
let signalFd = -1;
let mask = 0n;
let watcher: FdWatcher | null = null;
/**
 * How often a worker thread reads its signalfd while it has handlers (ms). A worker's signalfd is
 * watched by its poll waker thread (engine/native/poll-waker.ts), and a signalfd is readable for
 * a thread only when a signal is pending for the process or for that thread: a signal sent to the
 * worker's own thread (a chain's rt_tgsigqueueinfo on another thread, an addon's pthread_kill)
 * never woke the waker, and its handler never ran (session 21: 0 of 1 in 2 s). Only the worker's
 * thread can see it; the main thread watches its signalfd from its own event loop, which can.
 */
const WORKER_DRAIN_MS = 20;
let workerDrain: ReturnType<typeof setInterval> | null = null;

/** (Worker threads) read the signalfd now and then while any handler is registered. */
function drainPeriodicallyInWorker(): void {
  if (isMainThread || workerDrain !== null) return;
  workerDrain = setInterval(() => {
    let any = false;
    for (const set of handlers.values()) any ||= set.size > 0;
    if (!any && workerDrain !== null) {
      clearInterval(workerDrain);
      workerDrain = null;
      return;
    }
    drainSignals();
  }, WORKER_DRAIN_MS);
  // As the watcher: a program waiting for nothing but a signal must say so itself.
  workerDrain.unref();
}
let drainScheduled = false;
let scratch: { address: number; view: DataView } | null = null;

function scratchBlock(): { address: number; view: DataView } {
  if (scratch !== null) return scratch;
  const block = allocNative(8 + RECORD * BATCH, 64);
  scratch = { address: block.address, view: new DataView(block.buffer) };
  return scratch;
}

/** Block `signo` and add it to the signalfd. @throws SyscallError naming the call the kernel refused. */
function enable(signo: number): void {
  const bit = 1n << BigInt(signo - 1);
  if ((mask & bit) !== 0n) return;
  // Blocked only in this thread, the signal sent to the whole process by another program goes to
  // one of Node's other threads: there, lost rather than its default action (death, for most).
  const handled = installHarmlessHandler(signo);
  if (handled < 0) throw new SyscallError(handled, 'rt_sigaction');
  const block = scratchBlock();
  block.view.setBigUint64(0, mask | bit, true);
  const blocked = syscall(SYS_rt_sigprocmask, SIG_BLOCK, block.address, 0, 8);
  if (blocked < 0) throw new SyscallError(blocked, 'rt_sigprocmask');
  const fd = syscall(SYS_signalfd4, signalFd, block.address, 8, SFD_NONBLOCK | SFD_CLOEXEC);
  if (fd < 0) throw new SyscallError(fd, 'signalfd4');
  mask |= bit;
  // The first signalfd (later ones are the same fd): given back by another thread if this worker is terminated.
  if (signalFd < 0) holdForThisThread(THREAD_RESOURCE.signalfd, fd);
  signalFd = fd;
  // The watcher stays unref'd: a program waiting for nothing but a signal must say so itself.
  if (watcher === null) {
    watcher = watchReadable(fd, () => {
      drainSignals();
    });
    // A signal still pending at exit would make libuv call into JS during teardown (see engine.ts).
    // A worker thread that ends gives its signalfd back too: the process outlives it (workers21).
    process.once('exit', () => {
      watcher?.close();
      if (!isMainThread && signalFd >= 0) {
        letGo(THREAD_RESOURCE.signalfd, signalFd);
        syscall(SYS_close, signalFd);
        signalFd = -1;
      }
    });
  }
}

/**
 * receiveSignals - deliver signal `signo` to `handler`, with its siginfo, instead of the
 * default action.
 *
 * The signal is blocked in the JS thread from now on (also after dispose: unblocking it with a
 * completion still on its way would let the default action kill the process). AIO completion
 * signals are always directed at the JS thread, and always arrive. A signal sent to the whole
 * process by another program (`kill -USR2 <pid>`) is usually taken by another thread of Node,
 * which does not block it: where the signal had its default disposition it gets a handler that
 * does nothing (SA_RESTART), so such a signal is lost, never fatal. For signals from other
 * programs use `process.on('SIGUSR2', …)`, which libuv delivers from any thread.
 *
 * @param signo - 1..64, not SIGKILL or SIGSTOP, nor glibc's own 32 and 33 (blocked, they make
 *   process.setuid() and every other set*id call of the process wait for ever); typically
 *   SIGRTMIN (34) and up.
 * @param handler - called on the event loop, or inside an interrupted aio_suspend/lio_listio.
 * @returns a registration to dispose.
 * @throws RangeError naming `signo` when it is not a catchable signal; SyscallError (errno,
 *   code, syscall `rt_sigprocmask` or `signalfd4`) when the kernel refuses the mask or the signalfd.
 * @example
 * ```ts
 * using rx = receiveSignals(SIGRTMIN, (info) => console.log(info.code === SI_ASYNCIO, info.value));
 * ```
 */
export function receiveSignals(signo: number, handler: AioSignalHandler): SignalReceiver {
  if (!Number.isInteger(signo) || signo < 1 || signo > 64 || signo === SIGKILL || signo === SIGSTOP || GLIBC_RESERVED_SIGNALS.includes(signo)) {
    throw new RangeError(`signo must be a catchable signal number (1..64, not SIGKILL/SIGSTOP, not glibc's 32/33), got ${String(signo)}`);
  }
  if (typeof handler !== 'function') throw new TypeError('handler must be a function');
  enable(signo);
  let set = handlers.get(signo);
  if (set === undefined) {
    set = new Set();
    handlers.set(signo, set);
  }
  set.add(handler);
  drainPeriodicallyInWorker();
  const registration = set;
  const dispose = (): void => {
    registration.delete(handler);
  };
  return { dispose, [Symbol.dispose]: dispose };
}

/**
 * signalInterruptFd - the signalfd through which received signals arrive, for blocking waits
 * that must return EINTR when one comes (Engine.waitUntil's interruptFd).
 *
 * @returns the fd, or -1 when no signal is being received.
 */
export function signalInterruptFd(): number {
  return signalFd;
}

/** isReceiving - whether `signo` has a handler (a completion signal for it would be caught). */
export function isReceiving(signo: number): boolean {
  return (handlers.get(signo)?.size ?? 0) > 0;
}

/**
 * drainSignals - read every pending received signal and call its handlers now.
 * @returns how many signals were read.
 */
export function drainSignals(): number {
  if (signalFd < 0) return 0;
  const block = scratchBlock();
  let count = 0;
  // The ones read out early to make room (makeRoomForOneSignal) arrived first: they go first.
  if (readEarly.length > 0) {
    const early = readEarly.splice(0);
    count += early.length;
    for (const info of early) dispatch(info);
  }
  for (;;) {
    const got = syscall(SYS_read, signalFd, block.address + 8, RECORD * BATCH);
    if (got <= 0) break;
    // Decode the whole batch before any handler runs: a handler may wait (aio_suspend is
    // async-signal-safe in C), and a signal interrupting that wait drains into this same block.
    const batch: AioSignalInfo[] = [];
    for (let at = 8; at < 8 + got; at += RECORD) batch.push(decode(block.view, at));
    count += batch.length;
    for (const info of batch) dispatch(info);
    if (got < RECORD * BATCH) break;
  }
  return count;
}

function decode(view: DataView, at: number): AioSignalInfo {
  return {
    signo: view.getUint32(at, true),
    code: view.getInt32(at + 8, true),
    pid: view.getUint32(at + 12, true),
    uid: view.getUint32(at + 16, true),
    int: view.getInt32(at + 44, true),
    value: readWord(view, at + 48),
  };
}

/**
 * Signals read out of the signalfd before their turn, to give their place in the kernel's queue to
 * a completion signal it refused (makeRoomForOneSignal); the next drain dispatches them first.
 */
const readEarly: AioSignalInfo[] = [];

/**
 * @internal makeRoomForOneSignal - the kernel refused to queue a signal of a signo this process
 * receives (EAGAIN: RLIMIT_SIGPENDING reached). Its pending signals stay queued until the event
 * loop reads them from the signalfd — unlike a C handler, which takes each at delivery — so a burst
 * of completions fills the queue at once. Read the oldest pending signal out now (its handlers
 * still run at the next drain, before any signal read after it, on the event loop as ever), which
 * gives its place back for the refused one. One at a time: the signalfd stays readable while the
 * queue is full, so a blocking wait still returns EINTR for them.
 *
 * @returns whether a signal was read out (false: none of ours is pending, so the limit is taken by
 *   other processes of the user, and no room can be made here).
 */
export function makeRoomForOneSignal(): boolean {
  if (signalFd < 0) return false;
  const block = scratchBlock();
  // Past the 8 bytes a mask is built in, as drainSignals reads; never inside a batch being read:
  // drainSignals decodes its whole batch before any handler (which may end a request) runs.
  const got = syscall(SYS_read, signalFd, block.address + 8, RECORD);
  if (got < RECORD) return false;
  readEarly.push(decode(block.view, 8));
  scheduleAnyDrain();
  return true;
}

function dispatch(info: AioSignalInfo): void {
  const set = handlers.get(info.signo);
  if (set === undefined) return;
  for (const handler of [...set]) {
    try {
      handler(info);
    } catch (error) {
      // A throwing handler must not eat the other handlers' signals; report it like any uncaught error.
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

/**
 * @internal scheduleSignalDrain - a chain just sent `signo`: read it on the next turn of the
 * event loop (the signalfd watcher alone does not keep the loop alive).
 */
export function scheduleSignalDrain(signo: number): void {
  if (!isReceiving(signo)) return;
  scheduleAnyDrain();
}

function scheduleAnyDrain(): void {
  if (drainScheduled) return;
  drainScheduled = true;
  setImmediate(() => {
    drainScheduled = false;
    drainSignals();
  });
}
