/**
 * Reaping a cachemiss thread that exited (split from pool-threads.ts): the queue's counters it
 * held go back, and the chain it was running, or the successor it had taken, is finished by the
 * pool (its {@link ThreadEndHooks}).
 */
import { letGo, syscall, EOWNERDEAD, THREAD_RESOURCE } from './native/index.js';
import { STOP } from './atom.js';
import type { SubmissionQueue } from './submission-queue.js';
import { WORKER_STATE } from './worker-state.js';
import { deleteWatchdogTimer } from './cachemiss-watchdog.js';
import { NR } from './syscalls/nr.js';

const SYS_close = NR.close;

/** What the pool does when a thread ends without finishing what it held (called on the JS thread). */
export interface ThreadEndHooks {
  /** Finish a chain no thread will finish (see CachemissPool). */
  orphan(token: number, atom: number, result: number, stop: number, atoms?: number): void;
  /** A successor whose predecessor has ended goes to the queue (or is cancelled). */
  startSuccessor(successor: number, cancel: boolean): void;
  /** Wake the engine's watcher: orphans are delivered by the next drain. */
  poke(): void;
  /** Threads cannot start and none is running: finish every queued chain, its atom answering -errno. */
  failQueued(errno: number): void;
}

/** What reaping a thread touches of its pool. */
export interface ReapedPool {
  /** The threads' state words (WORKER_STATE per slot). */
  readonly state: Int32Array;
  readonly queue: SubmissionQueue;
  readonly hooks: ThreadEndHooks;
  /** Per slot, the atom its thread is running and the atoms its chain has run. */
  readonly currentAtoms: Float64Array;
  /** The pool has closed: a successor the thread had taken is cancelled. */
  readonly closed: boolean;
}

/**
 * After a thread exits, for whatever reason: give back whatever share of the queue's counters it
 * still held (its ledger: live, idle, an active slot — a thread terminated while idle holds all
 * three), and if it died mid-chain, finish that chain with -EOWNERDEAD.
 */
export function reapThread(index: number, pool: ReapedPool): void {
  const { state, queue, hooks, currentAtoms } = pool;
  const base = index * WORKER_STATE.stride;
  const ledger = { array: state, base };
  if (Atomics.load(state, base + WORKER_STATE.idle) !== 0) {
    Atomics.store(state, base + WORKER_STATE.idle, 0);
    queue.forgetIdle();
  }
  if (Atomics.load(state, base + WORKER_STATE.spinning) !== 0) {
    Atomics.store(state, base + WORKER_STATE.spinning, 0);
    queue.forgetSpinning();
  }
  if (Atomics.load(state, base + WORKER_STATE.holding) !== 0) queue.releaseActive(ledger);
  if (Atomics.load(state, base + WORKER_STATE.live) !== 0) queue.countLive(-1, ledger);
  // A successor it had taken from its chain's link word and not yet started (it died while it
  // published that chain's completion): no other thread knows of it.
  const taken = Atomics.exchange(state, base + WORKER_STATE.taken, 0) - 1;
  if (Atomics.load(state, base + WORKER_STATE.running) !== 0) {
    Atomics.store(state, base + WORKER_STATE.running, 0);
    hooks.orphan(
      Atomics.load(state, base + WORKER_STATE.token),
      currentAtoms[index * 2] as number,
      -EOWNERDEAD,
      STOP.died,
      currentAtoms[index * 2 + 1],
    );
  }
  if (taken >= 0) hooks.startSuccessor(taken, pool.closed);
  releaseThreadFiles(state, base);
  hooks.poke();
}

/**
 * releaseThreadFiles - what the thread at `base` in `state` leaves for others to release: its busy
 * clock's file (the thread leaves it open: see ThreadBusyClock) and its watchdog timer
 * (CallWatchdog). Called when it has exited (reapThread), or when the worker thread that owns
 * the pool is ending and its threads with it (PoolThreads.releaseThreadLeftovers).
 */
export function releaseThreadFiles(state: Int32Array, base: number): void {
  const clockFd = Atomics.exchange(state, base + WORKER_STATE.clockFd, 0) - 1;
  if (clockFd >= 0) {
    letGo(THREAD_RESOURCE.schedstat, clockFd);
    syscall(SYS_close, clockFd);
  }
  deleteWatchdogTimer(state, base);
}
