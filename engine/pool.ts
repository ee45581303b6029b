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
 * the thread that ends the predecessor runs it next, as glibc's helper thread takes the next
 * request of its fd, so that work queued behind a blocking chain moves on while the calling
 * thread is busy elsewhere (blocked in a read of its own, say). The link is one word per token,
 * `next`: 0 none, `token + 1` the successor, {@link SEALED} once the predecessor has ended. The
 * word is sealed by one exchange by whichever thread ends the chain: a cachemiss thread, which
 * then runs the successor itself, or the calling thread for a chain that ended there after an
 * io_uring completion ({@link CachemissPool.releaseSuccessor}, which queues it for any thread).
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import { allocNative, installInterruptingHandler, syscall, ECANCELED, EOWNERDEAD } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import type { Policy, TraceRecord } from './policy.js';
import { ATOM, STOP } from './atom.js';
import { KICK_NONE, type ChainTable, type ExecutorOptions } from './executor.js';
import { readPointer, setWord } from './words.js';
import { CompletionQueue, SubmissionQueue, WORKER_PHASE, WORKER_STATE, type Finished } from './queues.js';
import type { CachemissWorkerData } from './cachemiss-worker.js';
import { cachemissWorkerEntry, workerEnv } from './cachemiss-entry.js';
import { NR } from './syscalls/nr.js';

/**
 * The signal that interrupts a cachemiss thread blocked in a syscall when the process exits or
 * the engine closes (Node joins worker threads at exit, and a thread blocked in read() on an
 * empty pipe would otherwise never return). SIGRTMAX is the least likely to collide with an
 * application's SIGRTMIN+n completion signals.
 */
export const SYSLET_WAKE_SIGNAL = 64;

const SYS_tgkill = NR.tgkill;
const SYS_read = NR.read;
const SYS_write = NR.write;
const SYS_getpid = NR.getpid;
/** The most slots (threads ever alive at once) a pool has; the state arrays are sized for it. */
const MAX_SLOTS = 1024;
/** In the state array, after the slots: how many threads the pool keeps alive when idle. */
const KEEP_INDEX = MAX_SLOTS * WORKER_STATE.stride;
/**
 * How long process exit waits for threads still loading (koffi's addon initialises as a thread
 * loads, and terminating a thread in the middle of that aborts the whole process).
 */
const EXIT_LOAD_WAIT_MS = 10_000;

/** `next[token]` once that chain has ended: a successor linked after this is not taken by any thread. */
export const SEALED = -1;

/** Pool settings (glibc's aio_init knobs, plus how many threads to keep started). */
export interface PoolOptions {
  /** Most cachemiss threads at once. */
  readonly maxThreads: number;
  /** Milliseconds an idle thread waits for work before it exits. */
  readonly idleMs: number;
  /** Threads started with the pool and kept alive while idle (default 0). */
  readonly keepThreads?: number;
  /** The eventfd threads poke after completions (the Engine's: its libuv watcher reads it). */
  readonly eventfd: number;
  /** Per-chain state by token, shared with the threads (the Engine's: its io_uring chains use it too). */
  readonly chains: ChainTable;
  /**
   * Per token, the successor link word (see the module comment): the Engine's, which clears a
   * token's word when it hands the token out, and seals it itself when a chain ends on the
   * calling thread (an io_uring chain).
   */
  readonly next: Int32Array;
  readonly executor: Omit<ExecutorOptions, 'onDeny' | 'cancelFlag' | 'chains' | 'kick'>;
  readonly onDeny?: (record: TraceRecord) => void;
}

/** Receives finished chains from the cachemiss pool (the {@link Engine} is one). */
export interface FinishedSink {
  /** @internal One chain finished on a cachemiss thread. */
  chainFinished(finished: Finished): void;
}

interface Slot {
  worker: Worker | null;
  readonly completions: CompletionQueue;
  exited: Promise<void>;
}

let handlerInstalled = false;
const livePools = new Set<CachemissPool>();

// At exit Node terminates and joins every worker; interrupt any blocked in a syscall first.
process.on('exit', () => {
  for (const pool of livePools) pool.interruptForExit();
});

/** A bounded set of cachemiss threads sharing one submission queue. */
export class CachemissPool {
  readonly #memory: MemoryRegistry;
  readonly #policy: Policy;
  #options: PoolOptions;
  readonly #queue = new SubmissionQueue();
  readonly #slots: Slot[] = [];
  readonly #state: Int32Array;
  readonly #currentAtoms: Float64Array;
  readonly #finished: Finished = { token: 0, last: 0, result: 0, atoms: 0, stop: 0, serviceNs: 0 };
  readonly #pid = syscall(SYS_getpid);
  /** The eventfd cachemiss threads poke after each completion (the Engine's). */
  readonly eventfd: number;
  #closed = false;
  #startupFailures = 0;
  /** How many threads may load at once: more would only slow the first one down. */
  readonly #loadLimit = Math.max(1, availableParallelism());
  readonly #one: number;
  /** Chains finished because their thread died, waiting for the next drain. */
  readonly #orphans: Finished[] = [];
  /** Per-chain state by token, shared with the threads (first atom, executed mask, cancel flag). */
  readonly chains: ChainTable;
  /** Per token: the successor its thread runs when it ends (see the module comment). */
  readonly #next: Int32Array;

  constructor(memory: MemoryRegistry, policy: Policy, options: PoolOptions) {
    this.#memory = memory;
    this.#policy = policy;
    this.#options = options;
    this.#state = new Int32Array(new SharedArrayBuffer((KEEP_INDEX + 1) * 4));
    this.#currentAtoms = new Float64Array(new SharedArrayBuffer(MAX_SLOTS * 16));
    Atomics.store(this.#state, KEEP_INDEX, Math.min(options.keepThreads ?? 0, options.maxThreads));
    this.chains = options.chains;
    this.#next = options.next;
    this.eventfd = options.eventfd;
    if (!handlerInstalled) {
      installInterruptingHandler(SYSLET_WAKE_SIGNAL);
      handlerInstalled = true;
    }
    const one = allocNative(8, 8);
    new DataView(one.buffer).setBigUint64(0, 1n, true);
    this.#one = one.address;
    livePools.add(this);
    this.#grow();
  }

  /** Threads alive now. */
  get threads(): number {
    return this.#slots.filter((slot) => slot.worker !== null).length;
  }

  /** Chains queued and not yet taken by a thread. */
  get queued(): number {
    return this.#queue.length;
  }

  /** The most threads this pool will run. */
  get maxThreads(): number {
    return this.#options.maxThreads;
  }

  /**
   * @internal activeSlots - the active-slot accounting, for tests: `counted` is the shared ACTIVE
   * word, `held` the threads whose ledger says they hold a slot. The two are equal whenever no
   * thread is between its compare-and-swap and its ledger store; a thread that gave its slot back
   * twice makes `counted` fall below `held`, and the governor's bound stops holding. `bound` is
   * that bound now.
   */
  get activeSlots(): { counted: number; held: number; bound: number } {
    let held = 0;
    for (let index = 0; index < this.#slots.length; index++) {
      if (Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.holding) !== 0) held++;
    }
    return { counted: this.#queue.active, held, bound: this.#queue.maxActive };
  }

  /** How many threads the pool keeps alive while idle. */
  get keepThreads(): number {
    return Atomics.load(this.#state, KEEP_INDEX);
  }

  /** reconfigure - change the thread bound and idle time (applies to threads started from now on). */
  reconfigure(maxThreads: number, idleMs: number): void {
    this.#options = { ...this.#options, maxThreads: Math.max(1, Math.min(maxThreads, MAX_SLOTS)), idleMs };
    Atomics.store(this.#state, KEEP_INDEX, Math.min(this.keepThreads, this.#options.maxThreads));
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
    if (this.#closed) return false;
    const chains = this.chains;
    chains.first[token] = first;
    chains.executed[token] = executed;
    // (The cancel flag and the successor link are the Engine's to clear when it hands out the
    // token: a chain that comes from the io_uring engine keeps a cancel asked for while it was
    // there, and a successor linked to it meanwhile.)
    if (!this.#queue.push(atom, token, atomsBefore)) return false;
    this.#grow();
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
    if (this.#closed) return 'refused';
    const chains = this.chains;
    chains.first[token] = first;
    chains.executed[token] = 0;
    // (Its cancel flag and link word were cleared by the Engine with the token.)
    const before = Atomics.compareExchange(this.#next, predecessor, 0, token + 1);
    if (before === 0) return 'linked';
    if (before !== SEALED) return 'refused';
    return this.submit(first, token, 0) ? 'queued' : 'refused';
  }

  /**
   * unlink - take back a successor that no thread has taken yet (aio_cancel of a request queued
   * behind a running one). A successor linked after it moves up to its predecessor.
   * @returns true when it was taken back (it will never run); false when its predecessor has
   *   ended (a thread has it, or will run it).
   */
  unlink(token: number, predecessor: number): boolean {
    // Nothing else writes next[token] while token has not run (only the thread that ends a chain
    // and this calling thread do), so its value cannot change under the exchange.
    return Atomics.compareExchange(this.#next, predecessor, token + 1, Atomics.load(this.#next, token)) === token + 1;
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
    let found = false;
    this.#slots.forEach((slot, index) => {
      const base = index * WORKER_STATE.stride;
      if (slot.worker === null || !this.#isRunning(index) || Atomics.load(this.#state, base + WORKER_STATE.token) !== token) return;
      // The thread may finish this chain and start another before the signal lands: the kick word
      // tells it the signal was not meant for the new one (see Executor).
      Atomics.store(this.#state, base + WORKER_STATE.kick, token);
      this.#interrupt(index);
      found = true;
    });
    return found;
  }

  /**
   * warm - start threads now instead of on first use, and keep them alive while idle
   * (latency-sensitive programs). They load at most one per core at a time.
   */
  warm(count: number): void {
    const target = Math.min(count, this.#options.maxThreads);
    if (target > this.keepThreads) Atomics.store(this.#state, KEEP_INDEX, target);
    this.#grow();
  }

  /** Threads that have loaded and made their native blocks: they can take a chain now. */
  get ready(): number {
    let count = 0;
    this.#slots.forEach((slot, index) => {
      if (slot.worker !== null && Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.phase) === WORKER_PHASE.ready) count++;
    });
    return count;
  }

  /** drain - deliver every finished chain to `sink`. @returns how many. */
  drain(sink: FinishedSink): number {
    let count = 0;
    const finished = this.#finished;
    for (const slot of this.#slots) {
      while (slot.completions.pop(finished)) {
        sink.chainFinished(finished);
        count++;
      }
    }
    // Taken all at once: shift() per orphan is quadratic, and close() can orphan 65,536 chains.
    while (this.#orphans.length > 0) {
      for (const orphan of this.#orphans.splice(0)) {
        sink.chainFinished(orphan);
        count++;
      }
    }
    return count;
  }

  /**
   * armWake - the calling thread is about to sleep (in the event loop or a blocking wait): ask
   * for an eventfd poke. @returns true when completions are already waiting (drain them instead
   * of sleeping).
   */
  armWake(): boolean {
    this.#queue.armWake();
    if (this.#orphans.length > 0) return true;
    for (const slot of this.#slots) if (!slot.completions.isEmpty()) return true;
    return false;
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
    const slot = this.#slots.filter((candidate) => candidate.worker !== null)[index];
    if (slot?.worker == null) return false;
    const worker = slot.worker;
    const exited = slot.exited;
    const terminating = worker.terminate();
    // A thread blocked in a call cannot be terminated until the call returns.
    this.#interrupt(this.#slots.indexOf(slot));
    await terminating;
    await exited;
    return true;
  }

  /** close - stop every thread: running chains stop before their next atom; blocked calls are interrupted. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#queue.shutdown();
    // Workers are unref'd so an idle pool never holds the process; while closing we wait for their
    // exit, so they must hold the event loop until then.
    for (const slot of this.#slots) slot.worker?.ref();
    const deadline = Date.now() + 2000;
    while (this.#slots.some((slot, index) => slot.worker !== null && this.#isRunning(index)) && Date.now() < deadline) {
      this.#slots.forEach((_, index) => this.#interrupt(index));
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    await Promise.all(this.#slots.map((slot) => slot.exited));
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
   * (napi_throw FATAL, exit code 134). So first wait, bounded, until no thread is loading; a
   * thread that has loaded sees the shutdown and leaves by itself.
   */
  interruptForExit(): void {
    this.#queue.shutdown();
    const wait = new Int32Array(new SharedArrayBuffer(4));
    const loadDeadline = performance.now() + EXIT_LOAD_WAIT_MS;
    let blockedRounds = 0;
    for (;;) {
      let loading = false;
      let blocked = false;
      this.#slots.forEach((slot, index) => {
        if (slot.worker === null) return;
        const phase = Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.phase);
        if (phase === WORKER_PHASE.loading) loading = true;
        else if (this.#isRunning(index)) {
          blocked = true;
          this.#interrupt(index);
        }
      });
      if (loading && performance.now() < loadDeadline) {
        Atomics.wait(wait, 0, 0, 1);
        continue;
      }
      if (!blocked || ++blockedRounds > 200) return;
      Atomics.wait(wait, 0, 0, 1);
    }
  }

  #isRunning(index: number): boolean {
    return Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.running) !== 0;
  }

  #interrupt(index: number): void {
    const tid = Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.tid);
    if (tid > 0) syscall(SYS_tgkill, this.#pid, tid, SYSLET_WAKE_SIGNAL);
  }

  /**
   * setMaxActive - how many threads may run chains at once (the rest wait for a slot). The
   * engine lowers it to the core count while chains are short and CPU-bound.
   */
  setMaxActive(count: number): void {
    this.#queue.setMaxActive(Math.max(1, Math.min(count, this.#options.maxThreads)));
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
  #grow(): void {
    if (this.#closed) return;
    const queue = this.#queue;
    const queued = queue.length;
    // A thread beyond the active bound would only wait for a slot.
    const bound = Math.min(this.#options.maxThreads, queue.maxActive);
    const live = queue.live;
    let free = 0;
    // Threads still loading, from their shared phase word, not from their 'ready' messages: those
    // are processed only when this thread returns to the event loop, and a program that blocks it
    // (in aio_suspend, or in read(2) for what its chains do) while its chains need one more thread
    // would otherwise wait for ever — no thread started, as every earlier one still "loaded".
    let loading = 0;
    for (let index = 0; index < this.#slots.length; index++) {
      if (this.#slots[index]?.worker == null) continue;
      const base = index * WORKER_STATE.stride;
      if (Atomics.load(this.#state, base + WORKER_STATE.phase) !== WORKER_PHASE.ready) {
        loading++;
        free++;
      } else if (Atomics.load(this.#state, base + WORKER_STATE.idle) !== 0) free++;
    }
    const wanted = Math.max(this.keepThreads - live, queued - free);
    const count = Math.min(wanted, bound - live, this.#loadLimit - loading);
    for (let i = 0; i < count; i++) this.#spawn();
  }

  #spawn(): void {
    let index = this.#slots.findIndex((slot) => slot.worker === null);
    if (index < 0) {
      if (this.#slots.length >= MAX_SLOTS) return;
      index = this.#slots.length;
      this.#slots.push({ worker: null, completions: new CompletionQueue(), exited: Promise.resolve() });
    }
    const slot = this.#slots[index] as Slot;
    const base = index * WORKER_STATE.stride;
    const state = this.#state;
    for (let i = 0; i < WORKER_STATE.stride; i++) Atomics.store(state, base + i, 0);
    Atomics.store(state, base + WORKER_STATE.kick, KICK_NONE);
    Atomics.store(state, base + WORKER_STATE.phase, WORKER_PHASE.loading);
    const data: CachemissWorkerData = {
      slot: index,
      regions: this.#memory.shared.buffer,
      policy: this.#policy.shared,
      queue: this.#queue.buffers,
      completions: slot.completions.buffers,
      state: state.buffer as SharedArrayBuffer,
      currentAtoms: this.#currentAtoms.buffer as SharedArrayBuffer,
      eventfd: this.eventfd,
      idleMs: this.#options.idleMs,
      keepIndex: KEEP_INDEX,
      options: this.#options.executor,
      chains: {
        first: this.chains.first.buffer as SharedArrayBuffer,
        executed: this.chains.executed.buffer as SharedArrayBuffer,
        cancel: this.chains.cancel.buffer as SharedArrayBuffer,
      },
      next: this.#next.buffer as SharedArrayBuffer,
    };
    // Plain JavaScript, no inherited loader: `execArgv: []` drops `--import tsx` and the like,
    // and the environment is the process's without NODE_OPTIONS' loaders (a worker applies
    // NODE_OPTIONS again). Under tsx each thread would otherwise start the loader (seconds).
    const worker = new Worker(cachemissWorkerEntry(), { workerData: data, execArgv: [], env: workerEnv() });
    // The thread counts as live from now on: the ledger says so, so a thread that never gets
    // to run its own code is counted out by the exit handler below.
    this.#queue.countLive(1, { array: state, base });
    slot.worker = worker;
    worker.on('message', (message: { type: string; record?: TraceRecord }) => {
      if (message.type === 'ready') {
        this.#startupFailures = 0;
        this.#grow();
      } else if (message.type === 'deny' && message.record !== undefined) this.#options.onDeny?.(message.record);
    });
    worker.on('error', (error) => {
      if (process.env.SYSLET_AIO_DEBUG === '1') console.error('cachemiss thread error:', error);
      // The 'exit' handler below does the recovery; an error event alone changes nothing.
    });
    // An idle thread must not keep the process alive; the engine's eventfd watcher does that
    // while chains are in flight. unref() comes after the listeners: adding a 'message' listener
    // refs the worker's port again.
    worker.unref();
    slot.exited = new Promise((resolve) => {
      worker.once('exit', () => {
        if (Atomics.load(state, base + WORKER_STATE.phase) !== WORKER_PHASE.ready) this.#startupFailures++;
        this.#reapDead(index);
        slot.worker = null;
        resolve();
        if (this.#closed) return;
        if (this.#startupFailures >= 3 && this.#queue.live === 0) this.#failQueued();
        else this.#grow();
      });
    });
  }

  /**
   * Cachemiss threads cannot start (three in a row failed to load): finish every queued chain
   * with -EOWNERDEAD rather than leave it waiting for a thread that will never come.
   */
  #failQueued(): void {
    const job = { atom: 0, token: 0, atomsBefore: 0 };
    while (this.#queue.pop(job, 0)) this.#orphan(job.token, job.atom, -EOWNERDEAD, STOP.died);
    this.#poke();
  }

  /**
   * After a thread exits, for whatever reason: give back whatever share of the queue's counters it
   * still held (its ledger: live, idle, an active slot — a thread terminated while idle holds all
   * three), and if it died mid-chain, finish that chain with -EOWNERDEAD.
   */
  #reapDead(index: number): void {
    const state = this.#state;
    const base = index * WORKER_STATE.stride;
    const ledger = { array: state, base };
    if (Atomics.load(state, base + WORKER_STATE.idle) !== 0) {
      Atomics.store(state, base + WORKER_STATE.idle, 0);
      this.#queue.forgetIdle();
    }
    if (Atomics.load(state, base + WORKER_STATE.holding) !== 0) this.#queue.releaseActive(ledger);
    if (Atomics.load(state, base + WORKER_STATE.live) !== 0) this.#queue.countLive(-1, ledger);
    // A successor it had taken from its chain's link word and not yet started (it died while it
    // published that chain's completion): no other thread knows of it.
    const taken = Atomics.exchange(state, base + WORKER_STATE.taken, 0) - 1;
    if (Atomics.load(state, base + WORKER_STATE.running) !== 0) {
      Atomics.store(state, base + WORKER_STATE.running, 0);
      this.#orphan(
        Atomics.load(state, base + WORKER_STATE.token),
        this.#currentAtoms[index * 2] as number,
        -EOWNERDEAD,
        STOP.died,
        this.#currentAtoms[index * 2 + 1],
      );
    }
    if (taken >= 0) this.#startSuccessor(taken, this.#closed);
    this.#poke();
  }

  /**
   * Finish a chain no thread will finish. A chain whose thread died gets -EOWNERDEAD in the atom
   * that was running; a chain cancelled before any thread took it keeps its atoms untouched
   * (none ran) and only its completion says -ECANCELED.
   */
  #orphan(token: number, atom: number, result: number, stop: number, atoms = 0): void {
    const region = stop === STOP.died ? this.#memory.find(atom, ATOM.size) : null;
    if (region !== null) {
      const ret = readPointer(region.view, atom - region.start + ATOM.ret_ptr);
      const retRegion = ret > 0 ? this.#memory.find(ret, 8) : null;
      if (retRegion !== null) setWord(retRegion.view, ret - retRegion.start, result);
    }
    this.#orphans.push({ token, last: atom, result, atoms, stop, serviceNs: 0 });
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
    const successor = Atomics.exchange(this.#next, token, SEALED) - 1;
    if (successor < 0) return false;
    this.#startSuccessor(successor, cancel);
    return true;
  }

  /** A successor whose predecessor has ended goes to the queue, at its first atom (or is cancelled). */
  #startSuccessor(successor: number, cancel: boolean): void {
    const first = this.chains.first[successor] as number;
    if (cancel || this.#closed || !this.#queue.push(first, successor, 0)) this.#orphan(successor, first, -ECANCELED, STOP.cancelled);
    else this.#grow();
  }

  /** Wake the engine's watcher: orphans are delivered by the next drain. */
  #poke(): void {
    syscall(SYS_write, this.eventfd, this.#one, 8);
  }
}
