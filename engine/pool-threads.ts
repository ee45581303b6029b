/**
 * The cachemiss pool's threads (split from pool.ts): their slots and shared state words, starting
 * them — as many as queued chains need, at most one loading per core, at least the kept ones —
 * signalling one, and reaping one that exited (pool-reap.ts): the queue's counters it held go
 * back, and the chain it was running, or the successor it had taken, is finished by the pool
 * ({@link ThreadEndHooks}). One thread's Worker is made in pool-thread-start.ts; threads that
 * fail to start are counted in pool-start-failures.ts; the ones still loading are counted and
 * watched in pool-loading.ts.
 */
import type { Worker } from 'node:worker_threads';
import { syscall } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import type { Policy } from './policy.js';
import type { ChainTable } from './executor.js';
import { CompletionQueue, publishedCounter } from './completion-queue.js';
import type { SubmissionQueue } from './submission-queue.js';
import { SYSLET_WAKE_SIGNAL, WORKER_PHASE, WORKER_STATE } from './worker-state.js';
import { NR } from './syscalls/nr.js';
import type { PoolOptions } from './pool-options.js';
import { StartFailures, fdsShortForAThread, addressSpaceShortForAThread, startErrno } from './pool-start-failures.js';
import { LoadingThreads, threadIds } from './pool-loading.js';
import { reapThread, releaseThreadFiles, type ThreadEndHooks } from './pool-reap.js';
import { StallTimer } from './pool-stall-timer.js';
import { RehireKeep } from './pool-rehire.js';
import { resetThreadState, startThreadWorker, type ThreadStartShared } from './pool-thread-start.js';

export type { ThreadEndHooks } from './pool-reap.js';
// Defined beside the threads' shared state (the worker imports worker-state.ts, not this module).
export { SYSLET_WAKE_SIGNAL } from './worker-state.js';

const SYS_tgkill = NR.tgkill;
const SYS_getpid = NR.getpid;
/** The most slots (threads ever alive at once) a pool has; the state arrays are sized for it. */
export const MAX_SLOTS = 1024;
/** In the state array, after the slots: how many threads the pool keeps alive when idle. */
export const KEEP_INDEX = MAX_SLOTS * WORKER_STATE.stride;
/**
 * How long chains may wait in the queue, with every thread the active bound allows alive and none
 * of them taking one, before the pool starts a thread past that bound (see {@link PoolThreads.grow}).
 * Longer than the queue's 20 ms after which a live thread takes a chain past the bound: on a
 * loaded machine, threads busy with slow reads (or waiting for a CPU) can take none for 20 ms
 * now and then, and a thread started for that costs 50-60 ms of CPU. A chain that waits for
 * blocked ones waits up to 100 ms more, plus a thread's start, per thread it needs.
 */
const STALLED_MS = 100;

/** What the threads share with their pool. */
export interface ThreadsShared {
  readonly memory: MemoryRegistry;
  readonly policy: Policy;
  readonly queue: SubmissionQueue;
  readonly chains: ChainTable;
  readonly next: Int32Array;
  readonly eventfd: number;
  readonly hooks: ThreadEndHooks;
}

/** One thread's place in the pool: its worker (null while none runs there) and completion queue. */
export interface Slot {
  worker: Worker | null;
  readonly completions: CompletionQueue;
  exited: Promise<void>;
}

/** One pool's threads: their slots, shared state words and start-up accounting (JS thread). */
export class PoolThreads {
  readonly #queue: SubmissionQueue;
  readonly #hooks: ThreadEndHooks;
  #options: PoolOptions;
  /** The slots, by index (their state words are at `index * WORKER_STATE.stride` in {@link state}). */
  readonly slots: Slot[] = [];
  /** Per slot, the thread's state words (WORKER_STATE), then the kept-thread count; shared with the threads. */
  readonly state: Int32Array;
  readonly #currentAtoms: Float64Array;
  /** Completions pushed to any slot's queue (completion-queue.ts publishedCounter), word 0. */
  readonly published = publishedCounter();
  readonly #pid = syscall(SYS_getpid);
  /** The eventfd threads poke after each completion (the Engine's). */
  readonly eventfd: number;
  /** The pool has closed: no thread starts, and a successor a dead thread had taken is cancelled. */
  closed = false;
  /** Thread starts that failed in a row, and why (see pool-start-failures.ts). */
  readonly #startFailures = new StartFailures();
  /** The loading threads' OS ids, and when a synchronous wait looks at them (pool-loading.ts). */
  readonly #loading = new LoadingThreads();
  /** Per-chain state by token, shared with the threads. */
  readonly chains: ChainTable;
  /** What every thread is handed (pool-thread-start.ts). */
  readonly #startShared: ThreadStartShared;
  /** The stall check armed by {@link grow} while chains wait at the active bound (pool-stall-timer.ts). */
  readonly #stall = new StallTimer(STALLED_MS, (takenBefore) => this.#checkStall(takenBefore));
  /** The threads kept alive while idle by the engine's settings, warm() and keepAtLeast(). */
  #baseKeep: number;
  /** Threads needed again soon after one ended are kept too, for a while (pool-rehire.ts). */
  readonly #rehire = new RehireKeep(() => this.#storeKeep());

  constructor(options: PoolOptions, shared: ThreadsShared) {
    this.#queue = shared.queue;
    this.#hooks = shared.hooks;
    this.#options = options;
    this.state = new Int32Array(new SharedArrayBuffer((KEEP_INDEX + 1) * 4));
    this.#currentAtoms = new Float64Array(new SharedArrayBuffer(MAX_SLOTS * 16));
    this.#baseKeep = Math.min(options.keepThreads ?? 0, options.maxThreads);
    Atomics.store(this.state, KEEP_INDEX, this.#baseKeep);
    this.chains = shared.chains;
    this.eventfd = shared.eventfd;
    this.#startShared = {
      memory: shared.memory,
      policy: shared.policy,
      queue: shared.queue,
      chains: shared.chains,
      next: shared.next,
      state: this.state,
      currentAtoms: this.#currentAtoms,
      eventfd: shared.eventfd,
      keepIndex: KEEP_INDEX,
    };
  }

  /** The pool's settings now (see {@link reconfigure}). */
  get options(): PoolOptions {
    return this.#options;
  }

  /** Threads alive now. */
  get threads(): number {
    return this.slots.filter((slot) => slot.worker !== null).length;
  }

  /** @internal activeSlots - the active-slot accounting, for tests: see CachemissPool.activeSlots. */
  get activeSlots(): { counted: number; held: number; bound: number } {
    let held = 0;
    for (let index = 0; index < this.slots.length; index++) {
      if (Atomics.load(this.state, index * WORKER_STATE.stride + WORKER_STATE.holding) !== 0) held++;
    }
    return { counted: this.#queue.active, held, bound: this.#queue.maxActive };
  }

  /** How many threads the pool keeps alive while idle. */
  get keepThreads(): number {
    return Atomics.load(this.state, KEEP_INDEX);
  }

  /** The kept count the threads read: the settings' or the rehire rule's, whichever is more, within the bound. */
  #storeKeep(): void {
    if (this.closed) this.#rehire.close();
    Atomics.store(this.state, KEEP_INDEX, Math.min(Math.max(this.#baseKeep, this.#rehire.learned), this.#options.maxThreads));
  }

  /**
   * releaseThreadLeftovers - close every thread's busy-clock file (ThreadBusyClock) and delete
   * its watchdog timer (CallWatchdog): the worker thread that owns this pool is ending, its
   * cachemiss threads are terminated with it, and no reap will run to release them (engine.ts
   * releaseAtWorkerExit).
   */
  releaseThreadLeftovers(): void {
    for (let base = 0; base + WORKER_STATE.stride <= KEEP_INDEX; base += WORKER_STATE.stride) releaseThreadFiles(this.state, base);
  }

  /** reconfigure - change the thread bound and idle time (applies to threads started from now on). */
  reconfigure(maxThreads: number, idleMs: number): void {
    this.#options = { ...this.#options, maxThreads: Math.max(1, Math.min(maxThreads, MAX_SLOTS)), idleMs };
    this.#baseKeep = Math.min(this.#baseKeep, this.#options.maxThreads);
    this.#storeKeep();
  }

  /**
   * warm - start threads now instead of on first use, and keep them alive while idle
   * (latency-sensitive programs). They load at most one per core at a time.
   */
  warm(count: number): void {
    this.keepAtLeast(count);
    this.grow();
  }

  /**
   * keepAtLeast - keep at least `count` threads alive while idle (within the pool's size), without
   * starting any now: the ones alive stop leaving after their idle time.
   */
  keepAtLeast(count: number): void {
    const target = Math.min(count, this.#options.maxThreads);
    if (target <= this.#baseKeep) return;
    this.#baseKeep = target;
    this.#storeKeep();
  }

  /** Threads that have loaded and made their native blocks: they can take a chain now. */
  get ready(): number {
    let count = 0;
    this.slots.forEach((slot, index) => {
      if (slot.worker !== null && Atomics.load(this.state, index * WORKER_STATE.stride + WORKER_STATE.phase) === WORKER_PHASE.ready) count++;
    });
    return count;
  }

  /** Whether the thread in slot `index` is running a chain now. */
  isRunning(index: number): boolean {
    return Atomics.load(this.state, index * WORKER_STATE.stride + WORKER_STATE.running) !== 0;
  }

  /** Signals the thread in slot `index` (SYSLET_WAKE_SIGNAL): a call it is blocked in returns -EINTR. */
  interrupt(index: number): void {
    const tid = Atomics.load(this.state, index * WORKER_STATE.stride + WORKER_STATE.tid);
    if (tid > 0) syscall(SYS_tgkill, this.#pid, tid, SYSLET_WAKE_SIGNAL);
  }

  /**
   * Start the threads needed now: one per queued chain that no thread sure to take a chain (one
   * still loading, or one waiting idle in the queue) will take, and at least the kept ones, within
   * the bound; at most one loading per core at a time (more would make the first one later: a
   * thread's start is mostly CPU — measured, 64 short chains on 2 cores finished in 1.0–2.6 s
   * loading two at a time against 3.0–3.2 s loading sixteen). The rest start as those become ready.
   *
   * Not "every thread not running a chain": a thread that has just taken a chain says it runs
   * only a moment later (and on the code before, a thread woken for a chain stayed counted idle
   * until it ran), so the chain submitted right behind it was set against it, no thread started,
   * and it waited behind the first chain however long that one blocked — a read submitted just
   * before the write that satisfies it never completed. The queue's length is read first, and a
   * thread drops its idle flag before it takes a chain: a chain already taken is never set against
   * a thread that is no longer free. A thread between two chains counts as busy, so now and then
   * one more thread starts than needed; it leaves after its idle time.
   */
  grow(): void {
    if (this.closed) return;
    const queue = this.#queue;
    const queued = queue.length;
    // A thread beyond the active bound would only wait for a slot.
    const bound = Math.min(this.#options.maxThreads, queue.maxActive);
    const live = queue.live;
    // Every thread the bound allows is alive (the usual case, on every submission): nothing to
    // start now, unless those threads stop taking chains (see #checkStall).
    if (live >= bound) {
      if (queued > 0 && !this.#stall.armed && live < this.#options.maxThreads) this.#stall.arm(queue.taken);
      return;
    }
    const failures = this.#startFailures;
    if (!failures.holdsOff(performance.now())) {
      const free = this.#loading.countFree(this);
      const loading = this.#loading.counted;
      // Past one thread a core, a thread starts only when none alive is free (loading or idle):
      // a fresh pool's third thread started while its second loaded, before any chain was judged,
      // and cost ~100 ms of CPU (start + JIT) that uncached reads never paid back.
      const wanted = live >= this.#loading.limit && free > 0 ? this.keepThreads - live : Math.max(this.keepThreads - live, queued - free);
      const count = Math.min(wanted, bound - live, this.#loading.limit - loading);
      let spawned = 0;
      while (spawned < count && this.#spawn()) spawned++;
      // Chains wait for loading threads, the ones just started included: a synchronous wait must
      // look whether they still live, and wake to do it. (Counting only those loading before
      // left a wait for the first thread asleep for good when that thread never came up: one
      // paused at its start by a debugger — vscode-js-debug's waitForDebuggerOnStart, which the
      // main thread must run JavaScript to hear of — hung aio_suspend, hunt25.)
      if (queued > 0 && loading + spawned > 0) this.#loading.arm();
    }
    // Threads cannot start now (pool-start-failures.ts): a chain that no thread alive will take is
    // answered at once rather than left to wait for the next try.
    if (queued > 0 && queue.live === 0 && failures.holdsOff(performance.now())) this.#hooks.failQueued(failures.errno);
  }

  /**
   * When the armed stall check is due, as a performance.now() time; Infinity when none is armed.
   * A synchronous wait (Engine.waitUntil: runChainSync, aio_suspend, lio_listio LIO_WAIT) blocks
   * the event loop, so the check's timer cannot fire: the wait sleeps no later than this and then
   * calls {@link checkStallIfDue}.
   */
  get stallCheckDue(): number {
    return Math.min(this.#stall.dueAt, this.#loading.due);
  }

  /**
   * Runs the armed stall check now if it is due (for a synchronous wait; see {@link stallCheckDue}),
   * and the look at loading threads: one that has exited is seen only by the OS while the wait
   * blocks the event loop its 'exit' event would run on.
   */
  checkStallIfDue(): void {
    if (performance.now() >= this.#loading.due) this.#checkLoading();
    this.#stall.runIfDue();
  }

  /** The stall check (see StallTimer): one more thread when no thread has taken a chain since `takenBefore`. */
  #checkStall(takenBefore: number): void {
    const queue = this.#queue;
    if (this.closed || queue.length === 0) return;
    const taken = queue.taken;
    if (taken === takenBefore && queue.live < this.#options.maxThreads && !this.#startFailures.holdsOff(performance.now())) {
      if (this.#loading.countFree(this) === 0) this.#spawn();
    }
    this.#stall.arm(taken);
  }

  /** Start a thread in a free slot. @returns false when none could be made (see {@link #startFailed}). */
  #spawn(): boolean {
    // Not a thread that would fail for want of fds: the pool gives up at once, so that a chain
    // that needs one is answered now, even in a synchronous wait (no 'exit' event runs there).
    const short = fdsShortForAThread() || addressSpaceShortForAThread();
    if (short !== 0) {
      this.#startFailures.refused(short);
      return false;
    }
    let index = this.slots.findIndex((slot) => slot.worker === null);
    if (index < 0) {
      if (this.slots.length >= MAX_SLOTS) return false;
      index = this.slots.length;
      this.slots.push({ worker: null, completions: new CompletionQueue(undefined, undefined, this.published), exited: Promise.resolve() });
    }
    const slot = this.slots[index] as Slot;
    const state = this.state;
    resetThreadState(state, index);
    let worker: Worker;
    let exited = (): void => {};
    const before = threadIds();
    try {
      worker = startThreadWorker(index, slot.completions, this.#options, this.#startShared, {
        ready: () => {
          this.#startFailures.started();
          this.grow();
        },
        deny: (record) => this.#options.onDeny?.(record),
        exited: (ended, started, startError) => {
          // Reaped already: a synchronous wait saw its thread gone (see #checkLoading).
          if (slot.worker !== ended) {
            exited();
            return;
          }
          this.#reap(index);
          exited();
          if (started && !this.closed) this.#rehire.ended(performance.now());
          if (started) {
            if (!this.closed) this.grow();
          } else this.#startFailed(startError);
        },
      });
    } catch (error) {
      // No thread could be made (the thread limit: ERR_WORKER_INIT_FAILED; the bundle from sources).
      this.#startFailures.refused(startErrno(error));
      return false;
    }
    this.#loading.started(index, before);
    // The thread counts as live from now on: the ledger says so, so a thread that never gets
    // to run its own code is counted out by the exit hook above.
    this.#queue.countLive(1, { array: state, base: index * WORKER_STATE.stride });
    slot.worker = worker;
    slot.exited = new Promise((resolve) => {
      exited = resolve;
    });
    this.#rehire.started(performance.now(), this.threads);
    return true;
  }

  /** Reap the thread of slot `index` (pool-reap.ts) and free its slot. */
  #reap(index: number): void {
    reapThread(index, { state: this.state, queue: this.#queue, hooks: this.#hooks, currentAtoms: this.#currentAtoms, closed: this.closed });
    (this.slots[index] as Slot).worker = null;
  }

  /**
   * For a synchronous wait (pool-loading.ts): loading threads whose OS thread has exited failed to
   * start; reaped and counted now, so that the chains waiting for them are answered; and while
   * chains are queued, the threads they need are started (grow).
   */
  #checkLoading(): void {
    const loading = this.#loading.look(this, (index) => {
      this.#reap(index);
      this.#startFailed(null);
    });
    if (this.#queue.length === 0) return;
    if (loading > 0) this.#loading.lookAgain();
    // Threads that were loading may be ready now, and the chains they took may block (a pipe read
    // per core): the thread a chain still queued needs is started here. Their 'ready' messages,
    // which would have started it, run on the event loop, which the synchronous wait holds; an
    // aio_fsync behind one blocked pipe read per core waited in aio_suspend for as long as the
    // program did (session 18's hunt; glibc starts a helper thread for it).
    this.grow();
  }

  /**
   * A thread did not start. Another starts at once, up to STARTS_BEFORE_GIVING_UP in a row; after
   * that none does for RETRY_START_MS (pool-start-failures.ts: each start at the fd limit fails
   * within a millisecond, and started from here they followed each other for ever), and when no
   * thread is ready, the chains waiting for one are answered with the errno the start failed
   * with, as glibc answers a request whose thread cannot start. Not "when no thread is alive":
   * with two threads kept, one was always loading.
   */
  #startFailed(error: unknown): void {
    const failures = this.#startFailures;
    failures.failed(error);
    if (this.closed) return;
    if (!failures.givenUp) this.grow();
    else if (this.ready === 0) this.#hooks.failQueued(failures.errno);
  }
}
