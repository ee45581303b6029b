/**
 * The cachemiss pool: worker_threads that take over chains which would block. It starts a few
 * threads with the engine (so the first blocking request finds one ready), grows at once to the
 * number of chains waiting, up to `maxThreads`, lets idle threads beyond the kept ones exit after
 * `idleMs`, and replaces a thread that dies — the chain it was running completes with
 * -EOWNERDEAD and stop reason `died`, never silently lost.
 *
 * Threads run plain JavaScript without the loader the main thread was started with (see
 * cachemiss-entry.ts): a thread inherits neither `--import tsx` nor NODE_OPTIONS' loaders.
 *
 * Requests on one regular file run in parallel on as many threads as are free (glibc serialises
 * every fd; positional I/O has no reason to).
 *
 * A chain may also be handed over as the *successor* of one in flight ({@link CachemissPool.submitAfter}):
 * the thread that ends the predecessor runs it next (the link word: pool-successors.ts). Chains
 * the pool finishes itself — their thread died, none could start, a shutdown — wait in
 * pool-orphans.ts for the next drain.
 */
import { allocNative, installInterruptingHandler, syscall, ECANCELED } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import type { Policy } from './policy.js';
import { STOP } from './atom.js';
import type { ChainTable } from './executor.js';
import type { Finished } from './completion-queue.js';
import { SubmissionQueue } from './submission-queue.js';
import { NR } from './syscalls/nr.js';
import { PoolThreads, SYSLET_WAKE_SIGNAL } from './pool-threads.js';
import { interruptChain, interruptForExit, stopThreads, terminateThread } from './pool-signals.js';
import type { FinishedSink, PoolOptions } from './pool-options.js';
import { Orphans } from './pool-orphans.js';
import { linkSuccessor, sealLink, unlinkSuccessor } from './pool-successors.js';
// Their import path stays this module's (the package barrel and the engine import them from here).
export { SYSLET_WAKE_SIGNAL } from './pool-threads.js';
export { SEALED, type FinishedSink, type PoolOptions } from './pool-options.js';

const SYS_read = NR.read;
const SYS_write = NR.write;
let handlerInstalled = false;
/** How often close() repeats the queue's shutdown notify while threads are leaving (see close). */
const SHUTDOWN_RENOTIFY_MS = 10;
const livePools = new Set<CachemissPool>();

// At exit Node terminates and joins every worker; interrupt any blocked in a syscall first.
process.on('exit', () => {
  for (const pool of livePools) pool.interruptForExit();
});

/** A bounded set of cachemiss threads sharing one submission queue. */
export class CachemissPool {
  readonly #queue = new SubmissionQueue();
  /** The threads: their slots, state words, starting and reaping (pool-threads.ts). */
  readonly #threads: PoolThreads;
  readonly #finished: Finished = { token: 0, last: 0, result: 0, atoms: 0, stop: 0, serviceNs: 0, busyNs: 0 };
  /** The eventfd cachemiss threads poke after each completion (the Engine's). */
  readonly eventfd: number;
  readonly #one: number;
  /** Chains the pool finished itself (their thread died, ...), waiting for the next drain. */
  readonly #orphans: Orphans;
  /** Per-chain state by token, shared with the threads (first atom, executed mask, cancel flag). */
  readonly chains: ChainTable;
  /** Per token: the successor its thread runs when it ends (see the module comment). */
  readonly #next: Int32Array;
  /** The threads' count of completions pushed (completion-queue.ts publishedCounter), word 0. */
  readonly #published: Int32Array;
  /** That count when {@link drain} last looked at every queue: equal, nothing new was pushed. */
  #drained = 0;

  constructor(memory: MemoryRegistry, policy: Policy, options: PoolOptions) {
    this.#orphans = new Orphans(memory);
    this.#threads = new PoolThreads(options, {
      memory,
      policy,
      queue: this.#queue,
      chains: options.chains,
      next: options.next,
      eventfd: options.eventfd,
      hooks: {
        orphan: (token, atom, result, stop, atoms) => this.#orphan(token, atom, result, stop, atoms),
        startSuccessor: (successor, cancel) => this.#startSuccessor(successor, cancel),
        poke: () => this.#poke(),
        failQueued: (errno) => this.#failQueued(errno),
      },
    });
    this.chains = options.chains;
    this.#next = options.next;
    this.#published = new Int32Array(this.#threads.published, 0, 1);
    this.eventfd = options.eventfd;
    if (!handlerInstalled) {
      installInterruptingHandler(SYSLET_WAKE_SIGNAL);
      handlerInstalled = true;
    }
    const one = allocNative(8, 8);
    new DataView(one.buffer).setBigUint64(0, 1n, true);
    this.#one = one.address;
    livePools.add(this);
    this.#threads.grow();
  }

  /** Threads alive now. */
  get threads(): number {
    return this.#threads.threads;
  }

  /** Chains queued and not yet taken by a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The worker thread that owns this pool is ending: close what its threads leave open (see PoolThreads.releaseThreadLeftovers). */
  closeAtWorkerExit(): void {
    this.#threads.releaseThreadLeftovers();
  }

  /** The most threads this pool will run. */
  get maxThreads(): number {
    return this.#threads.options.maxThreads;
  }

  /**
   * @internal activeSlots - the active-slot accounting, for tests: `counted` is the shared ACTIVE
   * word, `held` the threads whose ledger says they hold a slot. The two are equal whenever no
   * thread is between its compare-and-swap and its ledger store; a thread that gave its slot back
   * twice makes `counted` fall below `held`, and the governor's bound stops holding. `bound` is
   * that bound now.
   */
  get activeSlots(): { counted: number; held: number; bound: number } {
    return this.#threads.activeSlots;
  }

  /** When the pool's stall check is due (performance.now() ms; Infinity: none): see PoolThreads.stallCheckDue. */
  get stallCheckDue(): number {
    return this.#threads.stallCheckDue;
  }

  /** checkStallIfDue - a synchronous wait runs the stall check its blocked timer would have (PoolThreads.checkStallIfDue). */
  checkStallIfDue(): void {
    this.#threads.checkStallIfDue();
  }

  /** How many threads the pool keeps alive while idle. */
  get keepThreads(): number {
    return this.#threads.keepThreads;
  }

  /** reconfigure - change the thread bound and idle time (applies to threads started from now on). */
  reconfigure(maxThreads: number, idleMs: number): void {
    this.#threads.reconfigure(maxThreads, idleMs);
  }

  /**
   * submit - hand a chain to the pool.
   *
   * @param atom - the atom to continue from.
   * @param token - the chain's token (below the queue's capacity).
   * @param atomsBefore - atoms it already ran inline.
   * @param first - its first atom (what executed bits are relative to); default `atom`.
   * @param executed - the executed mask of its inline part.
   * @returns false when the queue is full (the caller reports -EAGAIN).
   */
  submit(atom: number, token: number, atomsBefore: number, first = atom, executed = 0): boolean {
    if (this.#threads.closed) return false;
    const chains = this.chains;
    chains.first[token] = first;
    chains.executed[token] = executed;
    // (The cancel flag and the successor link are the Engine's to clear when it hands out the
    // token: a chain that comes from the io_uring engine keeps a cancel asked for while it was
    // there, and a successor linked to it meanwhile.)
    if (!this.#queue.push(atom, token, atomsBefore)) return false;
    this.#threads.grow();
    return true;
  }

  /**
   * submitAfter - hand over a chain to run once the chain `predecessor` (in flight) has ended:
   * the thread that ends it runs this one next, without the calling thread. When the predecessor
   * has already ended, the chain is queued for any thread at once.
   *
   * @param first - the chain's first atom (it has run nothing inline).
   * @param token - the chain's token.
   * @param predecessor - the token of a chain in flight with no successor yet.
   * @returns 'linked' (the predecessor's thread will run it), 'queued' (the predecessor had
   *   ended), or 'refused' (the pool is closed, its queue is full, or the predecessor has a
   *   successor already).
   */
  submitAfter(first: number, token: number, predecessor: number): 'linked' | 'queued' | 'refused' {
    if (this.#threads.closed) return 'refused';
    const chains = this.chains;
    chains.first[token] = first;
    chains.executed[token] = 0;
    // (Its cancel flag and link word were cleared by the Engine with the token.)
    const link = linkSuccessor(this.#next, token, predecessor);
    if (link !== 'sealed') return link === 'linked' ? 'linked' : 'refused';
    return this.submit(first, token, 0) ? 'queued' : 'refused';
  }

  /**
   * unlink - take back a successor that no thread has taken yet (aio_cancel of a request queued
   * behind a running one). A successor linked after it moves up to its predecessor.
   * @returns true when it was taken back (it will never run); false when its predecessor has
   *   ended (a thread has it, or will run it).
   */
  unlink(token: number, predecessor: number): boolean {
    return unlinkSuccessor(this.#next, token, predecessor);
  }

  /**
   * cancelChain - stop the chain with `token` before its next atom, and interrupt the call it is
   * blocked in (it returns -EINTR and the chain completes with stop reason `cancelled`). A signal
   * that lands just before the thread enters the kernel is lost: call {@link interruptChain}
   * again until the chain completes.
   */
  cancelChain(token: number): void {
    Atomics.store(this.chains.cancel, token, 1);
    this.interruptChain(token);
  }

  /** interruptChain - signal the thread running the chain with `token`, if one is. @returns whether one was. */
  interruptChain(token: number): boolean {
    return interruptChain(this.#threads, token);
  }

  /**
   * warm - start threads now instead of on first use, and keep them alive while idle
   * (latency-sensitive programs). They load at most one per core at a time.
   */
  warm(count: number): void {
    this.#threads.warm(count);
  }

  /** keepAtLeast - keep at least `count` threads alive while idle, starting none now (PoolThreads.keepAtLeast). */
  keepAtLeast(count: number): void {
    this.#threads.keepAtLeast(count);
  }

  /** Threads that have loaded and made their native blocks: they can take a chain now. */
  get ready(): number {
    return this.#threads.ready;
  }

  /** drain - deliver every finished chain to `sink`. @returns how many. */
  drain(sink: FinishedSink): number {
    // The count first, then the queues: a push counted in it moved its queue's HEAD before, so
    // the look below finds it; one counted later makes the next drain look again.
    const published = Atomics.load(this.#published, 0);
    if (published === this.#drained && this.#orphans.length === 0) return 0;
    let count = 0;
    const finished = this.#finished;
    for (const slot of this.#threads.slots) {
      while (slot.completions.pop(finished)) {
        sink.chainFinished(finished);
        count++;
      }
    }
    // Only now: a drain entered from a sink above (it saw the old count) looked at every queue itself.
    this.#drained = published;
    return count + this.#orphans.deliver(sink);
  }

  /**
   * armWake - the calling thread is about to sleep (in the event loop or a blocking wait): ask
   * for an eventfd poke. @returns true when completions are already waiting (drain them instead
   * of sleeping).
   */
  armWake(): boolean {
    this.#queue.armWake();
    return this.completionsWaiting();
  }

  /** completionsWaiting - whether finished chains wait in the completion queues (no side effect). */
  completionsWaiting(): boolean {
    // (After armWake's store: a thread that pushed but whose count this load misses reads the
    // wake flag after its count, so it pokes the eventfd.)
    return this.#orphans.length > 0 || Atomics.load(this.#published, 0) !== this.#drained;
  }

  /** readEventfd - consume the eventfd counter (it is non-blocking; EAGAIN just means 0). */
  readEventfd(scratch: number): void {
    syscall(SYS_read, this.eventfd, scratch, 8);
  }

  /**
   * terminateThread - end one running cachemiss thread as if it crashed (fault injection for
   * tests and `engine.debug`). Its chain completes with -EOWNERDEAD.
   */
  async terminateThread(index = 0): Promise<boolean> {
    return terminateThread(this.#threads, index);
  }

  /** close - stop every thread: running chains stop before their next atom; blocked calls are interrupted. */
  async close(): Promise<void> {
    if (this.#threads.closed) return;
    this.#threads.closed = true;
    this.#queue.shutdown();
    // A thread between its look at the shutdown flag and its Atomics.wait misses that notify: the
    // word it waits on (the queue's head, or the active count) does not change, so it slept out its
    // whole idle time (60 s in a test's engine) and close() with it. Notify again until all are gone.
    const renotify = setInterval(() => this.#queue.shutdown(), SHUTDOWN_RENOTIFY_MS);
    try {
      await stopThreads(this.#threads);
    } finally {
      clearInterval(renotify);
    }
    // Chains no thread took before the shutdown are cancelled, not dropped: each is delivered
    // with -ECANCELED in the atom it would have started from.
    const job = { atom: 0, token: 0, atomsBefore: 0 };
    while (this.#queue.popAfterShutdown(job)) this.#orphan(job.token, job.atom, -ECANCELED, STOP.cancelled);
    livePools.delete(this);
  }

  /**
   * interruptForExit - (process 'exit') stop threads now, synchronously, so Node can join them.
   * Node terminates every worker after the exit handlers; a thread terminated while its modules
   * load can be caught inside koffi's addon initialisation, which then aborts the process
   * (napi_throw FATAL, exit code 134). So a thread Node is still starting is withdrawn (it then
   * loads nothing native: engine/cachemiss-worker-claim.ts), one whose modules run is waited for,
   * bounded; a thread that has loaded sees the shutdown and leaves by itself.
   */
  interruptForExit(): void {
    interruptForExit(this.#threads, this.#queue);
  }

  /**
   * setMaxActive - how many threads may run chains at once (the rest wait for a slot). The
   * engine lowers it to the core count while chains are short and CPU-bound.
   */
  setMaxActive(count: number): void {
    this.#queue.setMaxActive(Math.max(1, Math.min(count, this.#threads.options.maxThreads)));
  }

  /**
   * Cachemiss threads cannot start (three in a row failed to) and none is running: finish every
   * queued chain rather than leave it waiting for a thread that may never come. The atom it would
   * have started from answers -errno (why the start failed: EMFILE at the fd limit), stop `died`.
   */
  #failQueued(errno: number): void {
    const job = { atom: 0, token: 0, atomsBefore: 0 };
    while (this.#queue.pop(job, 0)) this.#orphan(job.token, job.atom, -errno, STOP.died);
    this.#poke();
  }

  /** Finish a chain no thread will finish (pool-orphans.ts), and release the successor linked after it. */
  #orphan(token: number, atom: number, result: number, stop: number, atoms = 0): void {
    this.#orphans.add(token, atom, result, stop, atoms);
    this.#releaseSuccessor(token);
  }

  /**
   * A chain ended without a thread ending it (orphaned): its successor, which that thread would
   * have run, goes to the queue for any thread — or, once the pool is closed, is cancelled too.
   */
  #releaseSuccessor(token: number): void {
    this.releaseSuccessor(token, false);
  }

  /**
   * releaseSuccessor - the chain with `token` has ended without a cachemiss thread ending it (on
   * the calling thread, after an io_uring completion; or orphaned): seal its link word and start
   * the successor linked after it, if any, on any thread — or, when `cancel` is set or the pool
   * is closed, complete it as cancelled (it runs nothing). Call it before that chain's completion
   * is delivered: the token may be reused from then on.
   * @returns whether a successor was linked.
   */
  releaseSuccessor(token: number, cancel: boolean): boolean {
    const successor = sealLink(this.#next, token);
    if (successor < 0) return false;
    this.#startSuccessor(successor, cancel);
    return true;
  }

  /** A successor whose predecessor has ended goes to the queue, at its first atom (or is cancelled). */
  #startSuccessor(successor: number, cancel: boolean): void {
    const first = this.chains.first[successor] as number;
    if (cancel || this.#threads.closed || !this.#queue.push(first, successor, 0)) this.#orphan(successor, first, -ECANCELED, STOP.cancelled);
    else this.#threads.grow();
  }

  /** Wake the engine's watcher: orphans are delivered by the next drain. */
  #poke(): void {
    syscall(SYS_write, this.eventfd, this.#one, 8);
  }
}
