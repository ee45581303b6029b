/**
 * Cachemiss threads still loading (split from pool-threads.ts): how many load now and how many
 * threads are sure to take a chain (what the pool starts more threads against), at most how many
 * may load at once, each one's OS id, and when a synchronous wait looks whether they still live.
 *
 * A thread that fails to start says so only through its Worker's 'exit' event, which runs on the
 * event loop; a synchronous wait (Engine.waitUntil: runChainSync, aio_suspend, lio_listio
 * LIO_WAIT) blocks that loop, so the chains it waits for would wait for ever for a thread that is
 * gone. The OS knows at once: while chains wait for loading threads, the wait looks every
 * {@link LOAD_CHECK_MS} whether their OS threads still exist (`tgkill(tid, 0)`), and the pool
 * reaps and counts the ones that do not.
 */
import { readdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { ESRCH, procIsThisProcess, syscall } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { WORKER_PHASE, WORKER_STATE } from './worker-state.js';

const SYS_tgkill = NR.tgkill;
const PID = syscall(NR.getpid);
/** How often a synchronous wait looks whether the loading threads its chains wait for still live. */
export const LOAD_CHECK_MS = 20;

/**
 * threadIds - the ids of the process's threads now (null when /proc cannot be read, or lists
 * another pid namespace's tids, which tgkill here would not find: proc-self.ts).
 */
export function threadIds(): Set<string> | null {
  if (!procIsThisProcess()) return null;
  try {
    return new Set(readdirSync('/proc/self/task'));
  } catch {
    return null;
  }
}

/**
 * newThreadId - the id of the one thread that `new Worker` made, from the process's threads before
 * it (`new Worker` makes its thread before it returns).
 * @returns the id; 0 when no new thread is there (it has exited already); -1 when it cannot be
 *   told (no listing, or more than one new thread).
 */
export function newThreadId(before: Set<string> | null): number {
  const after = before === null ? null : threadIds();
  if (before === null || after === null) return -1;
  let found = 0;
  for (const id of after) {
    if (before.has(id)) continue;
    if (found !== 0) return -1;
    found = Number(id);
  }
  return found;
}

/**
 * threadGone - whether the thread `tid` (from {@link newThreadId}) has exited. A thread that fails
 * to start says so only through its Worker's 'exit' event, which a synchronous wait (aio_suspend,
 * runChainSync) never lets run; the OS knows at once.
 */
export function threadGone(tid: number): boolean {
  return tid === 0 || syscall(SYS_tgkill, PID, tid, 0) === -ESRCH;
}

/** The slots the counts and looks go through: each one's worker (null: none) and state words (WORKER_STATE). */
interface LoadingSlots {
  readonly slots: readonly { readonly worker: unknown }[];
  readonly state: Int32Array;
}

/** One pool's loading threads, by slot, and when a synchronous wait looks at them next (JS thread). */
export class LoadingThreads {
  /** How many threads may load at once: more would only slow the first one down. */
  readonly limit = Math.max(1, availableParallelism());
  /** How many threads the last {@link countFree} found still loading. */
  #counted = 0;
  /** Per slot, the OS id of its thread while it loads (0: exited already; -1: not known). */
  readonly #tids: number[] = [];
  /** When a synchronous wait looks whether loading threads have exited (performance.now() ms; Infinity: no need). */
  #due = Number.POSITIVE_INFINITY;

  /** How many threads the last {@link countFree} found still loading. */
  get counted(): number {
    return this.#counted;
  }

  /** When the next look is due, as a performance.now() time; Infinity when none is needed. */
  get due(): number {
    return this.#due;
  }

  /**
   * countFree - threads sure to take a chain: still loading, or waiting idle in the queue (see
   * PoolThreads.grow); how many of them are loading is left in {@link LoadingThreads.counted}
   * (no object per call: grow runs on submissions).
   */
  countFree(pool: LoadingSlots): number {
    let free = 0;
    // Threads still loading, from their shared phase word, not from their 'ready' messages: those
    // are processed only when this thread returns to the event loop, and a program that blocks it
    // (in aio_suspend, or in read(2) for what its chains do) while its chains need one more thread
    // would otherwise wait for ever — no thread started, as every earlier one still "loaded".
    let loading = 0;
    for (let index = 0; index < pool.slots.length; index++) {
      if (pool.slots[index]?.worker == null) continue;
      const base = index * WORKER_STATE.stride;
      if (Atomics.load(pool.state, base + WORKER_STATE.phase) !== WORKER_PHASE.ready) {
        loading++;
        free++;
      } else if (Atomics.load(pool.state, base + WORKER_STATE.idle) !== 0) free++;
    }
    this.#counted = loading;
    return free;
  }

  /**
   * started - the thread of slot `index` was made: its OS id is the one new since `before`
   * ({@link threadIds} taken just before `new Worker`).
   */
  started(index: number, before: Set<string> | null): void {
    this.#tids[index] = newThreadId(before);
  }

  /** arm - chains wait for loading threads: look {@link LOAD_CHECK_MS} from now, unless a look is due already. */
  arm(): void {
    if (this.#due === Number.POSITIVE_INFINITY) this.#due = performance.now() + LOAD_CHECK_MS;
  }

  /** lookAgain - look {@link LOAD_CHECK_MS} from now (some threads still load and chains wait for them). */
  lookAgain(): void {
    this.#due = performance.now() + LOAD_CHECK_MS;
  }

  /**
   * look - the look itself: no other is due after it until {@link arm} or {@link lookAgain}.
   * `gone(index)` is called for each slot whose thread is still loading (its phase not ready)
   * while its OS thread has exited.
   * @returns how many threads still load.
   */
  look(pool: LoadingSlots, gone: (index: number) => void): number {
    this.#due = Number.POSITIVE_INFINITY;
    let loading = 0;
    for (let index = 0; index < pool.slots.length; index++) {
      if (pool.slots[index]?.worker == null) continue;
      if (Atomics.load(pool.state, index * WORKER_STATE.stride + WORKER_STATE.phase) === WORKER_PHASE.ready) continue;
      const tid = this.#tids[index] ?? -1;
      if (tid < 0 || !threadGone(tid)) {
        loading++;
        continue;
      }
      gone(index);
    }
    return loading;
  }
}
