/**
 * The cachemiss pool: worker_threads that take over chains which would block. It starts lazily,
 * grows up to `maxThreads` while chains wait and no thread is idle, lets idle threads exit after
 * `idleMs`, and replaces a thread that dies — the chain it was running completes with
 * -EOWNERDEAD and stop reason `died`, never silently lost.
 *
 * Requests on one regular file run in parallel on as many threads as are free (glibc serialises
 * every fd; positional I/O has no reason to).
 *
 * A chain may also be handed over as the *successor* of one in flight ({@link CachemissPool.submitAfter}):
 * the thread that ends the predecessor runs it next, as glibc's helper thread takes the next
 * request of its fd, so that work queued behind a blocking chain moves on while the calling
 * thread is busy elsewhere (blocked in a read of its own, say). The link is one word per token,
 * `next`: 0 none, `token + 1` the successor, {@link SEALED} once the predecessor has ended.
 */
import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { allocNative, installInterruptingHandler, syscall, ECANCELED, EOWNERDEAD } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import type { Policy, TraceRecord } from './policy.js';
import { ATOM, STOP } from './atom.js';
import { KICK_NONE, type ChainTable, type ExecutorOptions } from './executor.js';
import { readPointer, setWord } from './words.js';
import { CompletionQueue, SubmissionQueue, WORKER_STATE, type Finished } from './queues.js';
import type { CachemissWorkerData } from './cachemiss-worker.js';
import { NR } from './syscalls/nr.js';
import { SyscallError } from './errors.js';
import { EFD_CLOEXEC, EFD_NONBLOCK } from './syscalls/constants.generated.js';

/**
 * The signal that interrupts a cachemiss thread blocked in a syscall when the process exits or
 * the engine closes (Node joins worker threads at exit, and a thread blocked in read() on an
 * empty pipe would otherwise never return). SIGRTMAX is the least likely to collide with an
 * application's SIGRTMIN+n completion signals.
 */
export const SYSLET_WAKE_SIGNAL = 64;

const SYS_eventfd2 = NR.eventfd2;
const SYS_close = NR.close;
const SYS_tgkill = NR.tgkill;
const SYS_read = NR.read;
const SYS_write = NR.write;
const SYS_getpid = NR.getpid;

/** `next[token]` once that chain has ended: a successor linked after this is not taken by any thread. */
export const SEALED = -1;

/** Pool settings (glibc's aio_init knobs). */
export interface PoolOptions {
  /** Most cachemiss threads at once. */
  readonly maxThreads: number;
  /** Milliseconds an idle thread waits for work before it exits. */
  readonly idleMs: number;
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

/**
 * Worker code that registers tsx's ESM loader and then imports `entry`: needed only when the
 * library runs from its TypeScript sources (tests), because Node 20 does not pass an `--import`
 * loader on to worker threads.
 */
function tsxBootstrap(entry: string): string {
  // The ESM build of the API (require.resolve would pick the CommonJS one).
  const packageJson = createRequire(import.meta.url).resolve('tsx/package.json');
  const api = new URL('dist/esm/api/index.mjs', pathToFileURL(packageJson)).href;
  return `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(entry)}); });`;
}
const livePools = new Set<CachemissPool>();

/**
 * The longest process exit waits for cachemiss threads still loading their modules (a thread
 * loads in 50-150 ms on an idle machine, seconds on a loaded one). Past it, exit goes on.
 */
const EXIT_LOADING_WAIT_MS = 10_000;

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
  /** The eventfd cachemiss threads poke after each completion. */
  readonly eventfd: number;
  #closed = false;
  #startupFailures = 0;
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
    const capacity = Math.max(1, options.maxThreads);
    this.#state = new Int32Array(new SharedArrayBuffer(capacity * WORKER_STATE.stride * 4 + 1024 * 4));
    this.#currentAtoms = new Float64Array(new SharedArrayBuffer((capacity + 1024) * 16));
    const tokens = this.#queue.capacity;
    this.chains = {
      first: new Float64Array(new SharedArrayBuffer(tokens * 8)),
      executed: new Int32Array(new SharedArrayBuffer(tokens * 4)),
      cancel: new Int32Array(new SharedArrayBuffer(tokens * 4)),
    };
    this.#next = new Int32Array(new SharedArrayBuffer(tokens * 4));
    const fd = syscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw new SyscallError(fd, 'eventfd2');
    this.eventfd = fd;
    if (!handlerInstalled) {
      installInterruptingHandler(SYSLET_WAKE_SIGNAL);
      handlerInstalled = true;
    }
    const one = allocNative(8, 8);
    new DataView(one.buffer).setBigUint64(0, 1n, true);
    this.#one = one.address;
    livePools.add(this);
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

  /** reconfigure - change the thread bound and idle time (applies to threads started from now on). */
  reconfigure(maxThreads: number, idleMs: number): void {
    this.#options = { ...this.#options, maxThreads: Math.max(1, Math.min(maxThreads, 1024)), idleMs };
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
    Atomics.store(chains.cancel, token, 0);
    Atomics.store(this.#next, token, 0);
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
    Atomics.store(chains.cancel, token, 0);
    Atomics.store(this.#next, token, 0);
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

  /** warm - start threads now instead of on first use (benchmarks; latency-sensitive programs). */
  warm(count: number): void {
    const target = Math.min(count, this.#options.maxThreads);
    while (this.#queue.live < target) this.#spawn();
  }

  /** Threads that have reached their loop (published their tid). */
  get ready(): number {
    let count = 0;
    this.#slots.forEach((slot, index) => {
      if (slot.worker !== null && Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.tid) !== 0) count++;
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
    syscall(SYS_close, this.eventfd);
  }

  /** Whether some started thread has not yet published its tid (it is still loading modules). */
  #anyLoading(): boolean {
    return this.#slots.some((slot, index) => slot.worker !== null && Atomics.load(this.#state, index * WORKER_STATE.stride + WORKER_STATE.tid) === 0);
  }

  /** interruptForExit - (process 'exit') stop threads now, synchronously, so Node can join them. */
  interruptForExit(): void {
    this.#queue.shutdown();
    const wait = new Int32Array(new SharedArrayBuffer(4));
    // Node terminates every worker after this handler. A thread terminated while it still loads
    // its modules aborts the whole process (koffi's addon initialisation meets the termination:
    // "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw", exit code 134), so wait,
    // bounded, until each started thread has published its tid (done loading). The worker
    // threads run on while this one waits.
    for (let waited = 0; waited < EXIT_LOADING_WAIT_MS && this.#anyLoading(); waited++) Atomics.wait(wait, 0, 0, 1);
    for (let attempt = 0; attempt < 200; attempt++) {
      let blocked = false;
      this.#slots.forEach((slot, index) => {
        if (slot.worker !== null && this.#isRunning(index)) {
          blocked = true;
          this.#interrupt(index);
        }
      });
      if (!blocked) return;
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
   * Start a thread when more chains are queued than threads wait idle for them. Not "when none
   * is idle": a thread woken for the previous chain stays counted idle until it runs, so a chain
   * submitted right after another would find it "idle", start nothing, and wait behind the first
   * chain however long that one blocks (a read that the second chain would have satisfied never
   * returns). The length is read first: a thread leaves the idle count before it takes a chain,
   * so a chain already taken is never set against an idle thread that is gone.
   */
  #grow(): void {
    const queued = this.#queue.length;
    if (queued <= this.#queue.idle) return;
    // A thread beyond the active bound would only wait for a slot.
    const bound = Math.min(this.#options.maxThreads, this.#queue.maxActive);
    if (this.#queue.live < bound) this.#spawn();
  }

  #spawn(): void {
    let index = this.#slots.findIndex((slot) => slot.worker === null);
    if (index < 0) {
      if (this.#slots.length >= 1024) return;
      index = this.#slots.length;
      this.#slots.push({ worker: null, completions: new CompletionQueue(), exited: Promise.resolve() });
    }
    const slot = this.#slots[index] as Slot;
    const base = index * WORKER_STATE.stride;
    Atomics.store(this.#state, base + WORKER_STATE.tid, 0);
    Atomics.store(this.#state, base + WORKER_STATE.running, 0);
    Atomics.store(this.#state, base + WORKER_STATE.kick, KICK_NONE);
    const data: CachemissWorkerData = {
      slot: index,
      regions: this.#memory.shared.buffer,
      policy: this.#policy.shared,
      queue: this.#queue.buffers,
      completions: slot.completions.buffers,
      state: this.#state.buffer as SharedArrayBuffer,
      currentAtoms: this.#currentAtoms.buffer as SharedArrayBuffer,
      eventfd: this.eventfd,
      idleMs: this.#options.idleMs,
      options: this.#options.executor,
      chains: {
        first: this.chains.first.buffer as SharedArrayBuffer,
        executed: this.chains.executed.buffer as SharedArrayBuffer,
        cancel: this.chains.cancel.buffer as SharedArrayBuffer,
      },
      next: this.#next.buffer as SharedArrayBuffer,
    };
    const fromSource = import.meta.url.endsWith('.ts');
    // Running from TypeScript sources (tests, tsx): the worker needs the same loader, named by
    // absolute URL so it resolves whatever the current directory is.
    const entry = new URL(fromSource ? './cachemiss-worker.ts' : './cachemiss-worker.js', import.meta.url);
    const worker = fromSource
      ? new Worker(tsxBootstrap(entry.href), { eval: true, workerData: data })
      : new Worker(entry, { workerData: data });
    this.#queue.countLive(1);
    slot.worker = worker;
    worker.on('message', (message: { type: string; record?: TraceRecord }) => {
      if (message.type === 'deny' && message.record !== undefined) this.#options.onDeny?.(message.record);
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
        const started = Atomics.load(this.#state, base + WORKER_STATE.tid) !== 0;
        if (!started) {
          // It never reached its loop (a load error): it counted itself in via us, so count it out.
          this.#queue.countLive(-1);
          this.#startupFailures++;
        } else {
          this.#startupFailures = 0;
          this.#reapDead(index);
        }
        slot.worker = null;
        resolve();
        if (this.#closed || this.#queue.length === 0) return;
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

  /** After a thread exits: if it died mid-chain, finish that chain with -EOWNERDEAD. */
  #reapDead(index: number): void {
    const base = index * WORKER_STATE.stride;
    if (Atomics.load(this.#state, base + WORKER_STATE.running) === 0) return;
    Atomics.store(this.#state, base + WORKER_STATE.running, 0);
    // A thread that ends mid-chain never counted itself out of the live set.
    this.#queue.countLive(-1);
    this.#orphan(
      Atomics.load(this.#state, base + WORKER_STATE.token),
      this.#currentAtoms[index * 2] as number,
      -EOWNERDEAD,
      STOP.died,
      this.#currentAtoms[index * 2 + 1],
    );
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
    const successor = Atomics.exchange(this.#next, token, SEALED) - 1;
    if (successor < 0) return;
    const first = this.chains.first[successor] as number;
    if (this.#closed || !this.#queue.push(first, successor, 0)) this.#orphan(successor, first, -ECANCELED, STOP.cancelled);
    else this.#grow();
  }

  /** Wake the engine's watcher: orphans are delivered by the next drain. */
  #poke(): void {
    syscall(SYS_write, this.eventfd, this.#one, 8);
  }
}
