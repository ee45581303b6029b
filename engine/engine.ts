/**
 * The syslet engine: `async_exec` runs a chain inline while nothing blocks; when a call would
 * block, the rest of the chain — from that atom — moves to a cachemiss thread and `async_exec`
 * returns 0. Completions of chains that went asynchronous land in the registered ring (and wake
 * `async_wait`, `asyncWait` and iterators), or go to the listener an internal submitter gave.
 * The event loop learns of them through an eventfd watched by libuv, referenced only while
 * chains are in flight, so an idle engine never keeps a process alive.
 */
import { allocNative, syscall, watchReadable, type FdWatcher, type Word, EAGAIN, ECANCELED, EFAULT, EINTR, EINVAL, ESHUTDOWN, EBUSY } from './native/index.js';
import { MemoryRegistry, type Region, type SegmentSpec } from './memory.js';
import { Policy } from './policy.js';
import { ATOM, STOP, SYSLET_NO_COMPLETE } from './atom.js';
import { DEFAULT_EXECUTOR_OPTIONS, Executor, newOutcome, type ChainTable, type ExecOutcome, type ExecutorOptions } from './executor.js';
export type { ExecOutcome } from './executor.js';
import { CachemissPool, type FinishedSink } from './pool.js';
import type { Finished } from './queues.js';
import { SuccessorLinks } from './successors.js';
import { CompletionRing, negotiateRing, RING_ENTRY_SIZE, type Completion, type CompletionRecord, type RingCapabilities, type RingRequest } from './ring.js';
import { availableParallelism } from 'node:os';
import { selectEngine } from './uring-select.js';
import { UringEngine, type RingSink } from './uring-engine.js';
import { NR } from './syscalls/nr.js';
import { SyscallError } from './errors.js';
import { checkIdle, checkThreads, type AsyncEngineInfo, type ChainCompletion, type ChainListener, type EngineOptions, type RingRegistration, type SubmitReport } from './engine-options.js';
export type { AsyncEngineInfo, ChainCompletion, ChainListener, EngineOptions, RingRegistration, SubmitReport } from './engine-options.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLIN } from './syscalls/constants.generated.js';

const MAX_INFLIGHT = 65536;
/** Cachemiss threads an engine starts with (see EngineOptions.minThreads). */
const DEFAULT_MIN_THREADS = 2;
/**
 * ... and with the io_uring engine, where threads serve only calls without an opcode: none. A
 * thread costs 100-150 ms of CPU to start (an isolate, the engine's modules, koffi's addon);
 * started with the engine, it competed with the first ring requests for two cores and made
 * them slower (measured: 180 µs of CPU per read over the first 1,024 uncached reads instead of
 * 40), while reads, writes, opens and sockets never need it.
 */
const DEFAULT_MIN_THREADS_WITH_RING = 0;
/** How often a cancelled chain's thread is signalled again while the chain has not completed. */
const CANCEL_RETRY_MS = 5;

// At exit, libuv makes one last pass over open handles: an eventfd left readable (completions
// already consumed by waitUntil, which does not always read it) would call into JS while the
// environment is being torn down, and koffi aborts the process. Stop watching before that.
const liveWatchers = new Set<FdWatcher>();
let exitHooked = false;
function closeAtExit(watcher: FdWatcher): void {
  liveWatchers.add(watcher);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const live of liveWatchers) live.close();
    liveWatchers.clear();
  });
}
const SYS_ppoll = NR.ppoll;
const SYS_eventfd2 = NR.eventfd2;
const SYS_read = NR.read;
const SYS_close = NR.close;
const NS_PER_MS = 1e6;
/** Mean service time below which cachemiss chains count as CPU-bound (see the governor). */
const CPU_BOUND_SERVICE_NS = 30_000;

/** The engine. Create one per policy domain; the POSIX layer uses a shared default one. */
export class Engine implements FinishedSink, RingSink {
  /** Memory the engine may dereference: its own allocations and registered buffers. */
  readonly memory = new MemoryRegistry();
  /** The syscall policy its atoms run under (narrowed by the `allow` option or {@link Policy.narrow}). */
  readonly policy = new Policy();
  readonly #executor: Executor;
  #options: EngineOptions & { threads: number; idleTimeMs: number };
  readonly #executorOptions: ExecutorOptions;
  #pool: CachemissPool | null = null;
  #watcher: FdWatcher | null = null;
  /** The eventfd both the io_uring engine and the cachemiss threads signal (-1: not made yet). */
  #eventfd = -1;
  readonly #chains: ChainTable;
  /**
   * Per token, the successor link word shared with cachemiss threads (see CachemissPool.submitAfter):
   * cleared here when a token is handed out, sealed by whichever thread ends the chain — a
   * cachemiss thread, or this one for a chain that ends after an io_uring completion.
   */
  readonly #next = new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4));
  readonly #uring: UringEngine | null;
  readonly #asyncEngine: AsyncEngineInfo;
  /** Ring chains by token (the rest in flight are on threads): 1 while its request is in the ring. */
  readonly #inRing = new Uint8Array(MAX_INFLIGHT);
  #ring: CompletionRing | null = null;
  #reportInline = false;
  readonly #pending: CompletionRecord[] = [];
  readonly #outcome: ExecOutcome = newOutcome();
  /** What a resumed io_uring chain did (apart from #outcome, which lastInlineStop reports). */
  readonly #resumed: ExecOutcome = newOutcome();
  readonly #report = { last: 0, atoms: 0, stop: 0, executed: 0, token: -1 };
  // Cancelled chains still in flight: their threads are signalled again until they complete.
  readonly #cancelling = new Map<number, ChainListener>();
  #cancelTimer: ReturnType<typeof setInterval> | null = null;
  // In-flight chains, by token.
  readonly #listeners: (ChainListener | null)[] = [];
  readonly #starts = new Float64Array(MAX_INFLIGHT);
  readonly #atomsBefore = new Int32Array(MAX_INFLIGHT);
  readonly #epochs = new Int32Array(MAX_INFLIGHT);
  readonly #freeTokens = new Int32Array(MAX_INFLIGHT);
  #freeCount = MAX_INFLIGHT;
  readonly #successors = new SuccessorLinks(MAX_INFLIGHT);
  #inflight = 0;
  #closed = false;
  #closeDone = false;
  #serviceEma = 0;
  #cpuBound = false;
  readonly #waiters = new Set<() => void>();
  readonly #closeHooks: (() => void)[] = [];
  readonly #scratch: DataView;
  readonly #scratchAddress: number;

  constructor(options: EngineOptions = {}) {
    const threads = options.threads ?? Math.max(8, availableParallelism() * 4);
    checkThreads(threads, 'threads');
    if (options.idleTimeMs !== undefined) checkIdle(options.idleTimeMs);
    if (options.minThreads !== undefined && (!Number.isSafeInteger(options.minThreads) || options.minThreads < 0 || options.minThreads > 1024)) {
      throw new RangeError(`minThreads must be an integer from 0 to 1024, got ${String(options.minThreads)}`);
    }
    this.#options = { ...options, threads, idleTimeMs: options.idleTimeMs ?? 1000 };
    if (options.allow !== undefined) this.policy.narrow(options.allow);
    this.#executorOptions = {
      maxAtomsPerChain: options.maxAtomsPerChain ?? DEFAULT_EXECUTOR_OPTIONS.maxAtomsPerChain,
      inlineBudget: options.inlineBudget ?? DEFAULT_EXECUTOR_OPTIONS.inlineBudget,
      unprobeableWrite: options.unprobeableWrite ?? DEFAULT_EXECUTOR_OPTIONS.unprobeableWrite,
      ...(options.onDeny === undefined ? {} : { onDeny: options.onDeny }),
    };
    this.#chains = {
      first: new Float64Array(new SharedArrayBuffer(MAX_INFLIGHT * 8)),
      executed: new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4)),
      cancel: new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4)),
    };
    for (let i = 0; i < MAX_INFLIGHT; i++) this.#freeTokens[i] = MAX_INFLIGHT - 1 - i;
    const scratch = allocNative(64, 64);
    this.#scratch = new DataView(scratch.buffer);
    this.#scratchAddress = scratch.address;
    const choice = selectEngine(options.engine);
    if (choice.engine === 'io_uring') {
      this.#uring = new UringEngine(choice.ring, choice.supportedOps, choice.setupFlags, this.memory, this.#ensureWake(), this);
      this.#asyncEngine = { kind: 'io_uring', ...this.#uring.description };
    } else {
      this.#uring = null;
      this.#asyncEngine = { kind: 'threads', reason: choice.reason };
    }
    this.#executor = new Executor(this.memory, this.policy, 'inline', {
      ...this.#executorOptions,
      chains: this.#chains,
      ...(this.#uring === null ? {} : { ring: this.#uring }),
    });
    // Threads ahead of need: the first blocking request must not wait for one to start. With
    // io_uring they serve only calls without an opcode: one is enough to start with.
    if (this.#minThreads > 0) this.#ensurePool();
  }

  /** Cachemiss threads kept started (EngineOptions.minThreads). */
  get #minThreads(): number {
    return Math.min(this.#options.minThreads ?? (this.#uring === null ? DEFAULT_MIN_THREADS : DEFAULT_MIN_THREADS_WITH_RING), this.#options.threads);
  }

  /**
   * What makes this engine's would-block calls: io_uring (with its set-up and the calls it makes
   * on this kernel) or cachemiss threads (with the reason io_uring is not used).
   */
  get asyncEngine(): AsyncEngineInfo {
    return this.#asyncEngine;
  }

  /** Chains submitted and not yet completed. */
  get inflight(): number {
    return this.#inflight;
  }

  /** Why the most recent inline completion stopped (STOP); valid right after submit returned > 0. */
  get lastInlineStop(): number {
    return this.#outcome.stop;
  }

  /**
   * What the most recent {@link submit} did on the calling thread: its last atom, atom count,
   * executed mask and stop reason, and its token when it went asynchronous. Valid right after
   * submit returned >= 0; the object is reused.
   */
  get lastSubmit(): SubmitReport {
    return this.#report;
  }

  /** Requests in flight in the io_uring engine's ring (0 with cachemiss threads): for diagnostics and tests. */
  get ringInFlight(): number {
    return this.#uring?.inFlight ?? 0;
  }

  /** @internal The cachemiss pool's active-slot accounting (see CachemissPool.activeSlots), for tests; zeros before the pool starts. */
  get activeSlots(): { counted: number; held: number; bound: number } {
    return this.#pool?.activeSlots ?? { counted: 0, held: 0, bound: 0 };
  }

  /**
   * @internal setActiveBound - set the bound on cachemiss threads running chains at once, as the
   * governor does when chains turn short and CPU-bound (it sets it again on its next change of
   * mind): for tests that need the pool over its bound without depending on the machine's timing.
   */
  setActiveBound(count: number): void {
    this.#pool?.setMaxActive(count);
  }

  /** Cachemiss threads alive now. */
  get threads(): number {
    return this.#pool?.threads ?? 0;
  }

  /** The registered ring, if any. */
  get ring(): CompletionRing | null {
    return this.#ring;
  }

  /**
   * configurePool - glibc aio_init's knobs: most threads and idle time. Takes effect for threads
   * started from now on.
   */
  configurePool(threads: number, idleTimeMs: number): void {
    checkThreads(threads, 'threads');
    checkIdle(idleTimeMs);
    this.#options.threads = threads;
    this.#options.idleTimeMs = idleTimeMs;
    this.#pool?.reconfigure(this.#options.threads, idleTimeMs);
  }

  /**
   * warm - start `count` cachemiss threads now rather than on first need (a thread takes tens of
   * milliseconds to start: a long-running program pays that once, up front).
   *
   * @returns a promise that resolves when they are ready, or after `timeoutMs` (default 10 s).
   * @throws RangeError for a count that is not an integer from 1 to the pool size.
   */
  async warm(count: number, timeoutMs = 10_000): Promise<void> {
    checkThreads(count, 'count');
    const pool = this.#ensurePool();
    const target = Math.min(count, pool.maxThreads);
    pool.warm(target);
    const deadline = performance.now() + timeoutMs;
    while (pool.ready < target && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /**
   * alloc - zeroed engine memory that atoms, cells and buffers can live in.
   *
   * @param size - bytes.
   * @param segments - split the region into areas that are each their own bound (a slab of
   *   pooled objects): a pointer argument whose length runs from one area into the next is
   *   -EFAULT, as one that runs past the region is. See {@link SegmentSpec}.
   * @returns the region; give it back with {@link free}.
   * @throws RangeError for a bad size or split.
   * @example
   * ```ts
   * const slab = engine.alloc(32 * 64, { period: 64, starts: [0, 16] }); // 32 objects: a 16-byte and a 48-byte area each
   * ```
   */
  alloc(size: number, segments?: SegmentSpec): Region {
    return this.memory.allocate(size, segments);
  }

  /**
   * free - release engine memory from {@link alloc}. New dereferences of it fail with -EFAULT at
   * once; the memory itself goes back when no chain that was on a cachemiss thread at this
   * moment can still touch it.
   *
   * @throws SysletError EBUSY while the region holds the registered completion ring
   *   ({@link async_unregister} first): the engine writes completions into it.
   */
  free(region: Region): void {
    this.memory.release(region);
  }

  /**
   * register - let chains read and write a caller's buffer (kept alive until unregistered).
   * @returns the region holding it.
   */
  register(buffer: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): Region {
    return this.memory.registerBuffer(buffer);
  }

  /**
   * unregister - stop letting chains use a registered buffer. It stays reachable until every chain
   * that was on a cachemiss thread at this moment has finished, unless `unused` says none uses it.
   * @returns whether it was registered.
   * @throws SysletError EBUSY while the buffer holds the registered completion ring.
   */
  unregister(buffer: ArrayBufferView | ArrayBuffer | SharedArrayBuffer, unused = false): boolean {
    return this.memory.unregisterBuffer(buffer, unused);
  }

  /**
   * async_exec - run a syslet.
   *
   * @param atom - address of the first atom (engine memory or a registered buffer).
   * @returns the address of the last executed atom when the whole chain completed inline
   *   (nothing is posted to the ring unless `reportInline`); `0n` when it went to a cachemiss
   *   thread (its last atom will be posted to the ring unless it has SYSLET_NO_COMPLETE);
   *   a negative `-errno` when the submission itself is refused: EFAULT (the first atom is not in
   *   engine memory), ESHUTDOWN (engine closed), EAGAIN (too many chains in flight).
   * @example
   * ```ts
   * const last = engine.async_exec(chain.first.address);
   * if (last > 0n) console.log('done inline');
   * ```
   */
  async_exec(atom: bigint | number): bigint {
    const address = typeof atom === 'bigint' ? (atom < 0n || atom > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(atom)) : atom;
    const result = this.submit(address, null);
    return BigInt(result);
  }

  /**
   * submit - run a chain; the engine's internal form of async_exec.
   *
   * @param atom - address of the first atom.
   * @param listener - receives the completion if the chain goes asynchronous (then nothing goes
   *   to the ring); null to use the ring.
   * @param offRing - keep this chain off the io_uring engine: a call that would block goes to a
   *   cachemiss thread, as with `engine: 'threads'`. For a chain that others will be linked
   *   after ({@link submitAfter}) and whose progress the program may wait for outside the library
   *   (blocked in read(2) on a socket's other end): a ring request completes — and its chain goes
   *   on — only when this thread processes the ring, whereas a thread goes on by itself.
   * @returns last atom address (> 0) when completed inline, 0 when asynchronous, or -errno.
   */
  submit(atom: number, listener: ChainListener | null, offRing = false): number {
    let submitted: number;
    if (offRing) {
      this.#executor.useRing(false);
      try {
        submitted = this.#submit(atom, listener);
      } finally {
        this.#executor.useRing(true);
      }
    } else {
      submitted = this.#submit(atom, listener);
    }
    if (this.#executor.hasPendingDenies) this.#deliverDenies();
    return submitted;
  }

  #submit(atom: number, listener: ChainListener | null): number {
    if (this.#closed) return -ESHUTDOWN;
    const first = Number.isSafeInteger(atom) && atom > 0 ? this.memory.find(atom, ATOM.size) : null;
    if (first === null) return -EFAULT;
    // Any chain may go asynchronous, and then it needs a token (and room in the queue, which has
    // as many entries as there are tokens): refuse before the first atom runs, not after.
    if (this.#freeCount === 0) return -EAGAIN;
    // The clock is read only when someone will see the latency: inline completions reported to
    // the ring, and chains that go asynchronous.
    const reportInline = listener === null && this.#reportInline;
    const start = reportInline ? performance.now() : 0;
    const out = this.#outcome;
    try {
      this.#executor.run(atom, out, 0, first);
    } catch {
      // Only a registered buffer detached under us (its DataView throws) can get here.
      return -EFAULT;
    }
    const report = this.#report;
    report.last = out.last;
    report.atoms = out.atoms;
    report.stop = out.stop;
    report.executed = out.executed;
    report.token = -1;
    if (out.handoff === 0 && out.ring === 0) {
      if (reportInline && !this.#hasNoComplete(out.last)) {
        this.#post({ atom: out.last, result: out.result, latencyNs: (performance.now() - start) * NS_PER_MS, atoms: out.atoms, mode: 0, stop: out.stop });
      }
      return out.last > 0 ? out.last : atom;
    }
    const token = this.#freeTokens[--this.#freeCount] as number;
    this.#listeners[token] = listener;
    this.#starts[token] = reportInline ? start : performance.now();
    Atomics.store(this.#chains.cancel, token, 0);
    Atomics.store(this.#next, token, 0);
    this.#chains.first[token] = atom;
    this.#chains.executed[token] = out.executed;
    if (out.ring !== 0) {
      // The atom ran as an io_uring request: the chain goes on when it completes.
      this.#atomsBefore[token] = out.atoms;
      this.#inRing[token] = 1;
      (this.#uring as UringEngine).commit(token);
    } else {
      this.#atomsBefore[token] = out.atoms;
      if (!this.#ensurePool().submit(out.handoff, token, out.atoms, atom, out.executed)) {
        // Unreachable while the engine is open: a free token means room in the queue.
        this.#freeTokens[this.#freeCount++] = token;
        return -EAGAIN;
      }
    }
    report.token = token;
    this.#epochs[token] = this.memory.hold();
    if (this.#inflight++ === 0) this.#watcher?.ref();
    return 0;
  }

  /**
   * Hands the deny records of the inline run to `onDeny` now that the submission is complete. A
   * callback may submit chains itself; what the outer caller reads next (lastSubmit,
   * lastInlineStop, an inline completion) is its own submission's, so it is put back afterwards.
   */
  #deliverDenies(): void {
    const out = this.#outcome;
    const report = this.#report;
    const { last, atoms, stop, handoff, ring, result, executed } = out;
    const { last: reportLast, atoms: reportAtoms, stop: reportStop, executed: reportExecuted, token } = report;
    try {
      this.#executor.deliverDenies();
    } finally {
      out.last = last;
      out.atoms = atoms;
      out.stop = stop;
      out.handoff = handoff;
      out.ring = ring;
      out.result = result;
      out.executed = executed;
      report.last = reportLast;
      report.atoms = reportAtoms;
      report.stop = reportStop;
      report.executed = reportExecuted;
      report.token = token;
    }
  }

  /**
   * submitAfter - run a chain after another one in flight, without the calling thread: the
   * cachemiss thread that ends `predecessor` runs this chain next (at its first atom; nothing
   * runs inline), and its completion reaches `listener` after the predecessor's has reached its
   * own. What glibc's helper thread does when it takes the next request of its fd: work queued
   * behind a blocking chain moves on while the calling thread is blocked elsewhere. A
   * predecessor waiting in the io_uring ring ends on the calling thread (its completion resumes
   * it there): this chain then goes to a cachemiss thread as that completion is processed — by
   * the event loop or any wait of the engine's — or completes as cancelled if the engine closes.
   *
   * @param atom - address of the first atom.
   * @param listener - receives the completion.
   * @param predecessor - the token of a chain in flight submitted with a listener (`lastSubmit.token`
   *   after {@link submit} returned 0, or after an earlier submitAfter), with no successor yet.
   * @returns 0 (its token is `lastSubmit.token`), or -errno: EFAULT (atom outside engine memory),
   *   EINVAL (predecessor not such a chain), EBUSY (it has a successor already), EAGAIN (no
   *   token or queue room), ESHUTDOWN (closed).
   * @example
   * ```ts
   * if (engine.submit(first, listener) === 0 && engine.submitAfter(next, nextListener, engine.lastSubmit.token) === 0) {
   *   const token = engine.lastSubmit.token; // withdraw(token, nextListener) takes it back while it waits
   * }
   * ```
   */
  submitAfter(atom: number, listener: ChainListener, predecessor: number): number {
    if (this.#closed) return -ESHUTDOWN;
    if (!(Number.isSafeInteger(atom) && atom > 0 && this.memory.find(atom, ATOM.size) !== null)) return -EFAULT;
    if (!Number.isSafeInteger(predecessor) || predecessor < 0 || predecessor >= MAX_INFLIGHT || (this.#listeners[predecessor] ?? null) === null) return -EINVAL;
    if (this.#successors.hasSuccessor(predecessor)) return -EBUSY;
    if (this.#freeCount === 0) return -EAGAIN;
    // A successor runs on a cachemiss thread whatever engine its predecessor is in: one that
    // ends on a thread runs it there; one in the io_uring ring ends on this thread, which then
    // queues it (#endHere).
    const pool = this.#ensurePool();
    const token = this.#freeTokens[--this.#freeCount] as number;
    Atomics.store(this.#chains.cancel, token, 0);
    Atomics.store(this.#next, token, 0);
    const linked = pool.submitAfter(atom, token, predecessor);
    if (linked === 'refused') {
      this.#freeTokens[this.#freeCount++] = token;
      return -EAGAIN;
    }
    this.#listeners[token] = listener;
    this.#starts[token] = performance.now();
    this.#atomsBefore[token] = 0;
    // Queued too (the predecessor had ended): another thread may finish it first, and it is
    // still delivered after the predecessor.
    this.#successors.link(token, predecessor);
    const report = this.#report;
    report.last = 0;
    report.atoms = 0;
    report.stop = 0;
    report.executed = 0;
    report.token = token;
    this.#epochs[token] = this.memory.hold();
    if (this.#inflight++ === 0) this.#watcher?.ref();
    return 0;
  }

  /**
   * withdraw - take back a chain given to {@link submitAfter} that no thread has started: it
   * will never run, and its listener is not called. A chain linked after it moves up.
   *
   * @param token - its token. @param listener - the listener it was given (the pair names one chain).
   * @returns true when it was taken back; false when its predecessor has ended (it runs, or will).
   */
  withdraw(token: number, listener: ChainListener): boolean {
    const pool = this.#pool;
    if (pool === null || !Number.isSafeInteger(token) || token < 0 || token >= MAX_INFLIGHT || this.#listeners[token] !== listener) return false;
    const predecessor = this.#successors.predecessorOf(token);
    if (predecessor < 0 || !pool.unlink(token, predecessor)) return false;
    this.#successors.remove(token);
    this.#listeners[token] = null;
    this.#freeTokens[this.#freeCount++] = token;
    this.memory.unhold(this.#epochs[token] as number);
    if (--this.#inflight === 0) this.#watcher?.unref();
    return true;
  }

  /**
   * runChain - run a chain and resolve with how it ended, inline or not.
   * @throws RangeError with the errno when the submission is refused.
   */
  runChain(atom: number): Promise<ChainCompletion> {
    return new Promise((resolve, reject) => {
      const start = performance.now();
      const result = this.submit(atom, {
        chainDone: (last, value, atoms, stop, latencyNs) => resolve({ last, result: value, atoms, stop, mode: 'cachemiss', latencyNs }),
      });
      if (result < 0) reject(new RangeError(`submission refused: ${result}`));
      else if (result > 0) resolve(this.#inlineCompletion(start));
    });
  }

  /** runChainSync - like {@link runChain} but blocks the calling thread until the chain ends. */
  runChainSync(atom: number): ChainCompletion {
    const start = performance.now();
    let done: ChainCompletion | null = null;
    const result = this.submit(atom, {
      chainDone: (last, value, atoms, stop, latencyNs) => {
        done = { last, result: value, atoms, stop, mode: 'cachemiss', latencyNs };
      },
    });
    if (result < 0) throw new RangeError(`submission refused: ${result}`);
    if (result > 0) return this.#inlineCompletion(start);
    this.waitUntil(() => done !== null, null);
    return done as unknown as ChainCompletion;
  }

  #inlineCompletion(start: number): ChainCompletion {
    const out = this.#outcome;
    return { last: out.last, result: out.result, atoms: out.atoms, stop: out.stop, mode: 'inline', latencyNs: (performance.now() - start) * NS_PER_MS };
  }

  /** negotiateRing - see {@link negotiateRing}; nothing is set up. */
  negotiateRing(request: RingRequest): RingCapabilities {
    return negotiateRing(request);
  }

  /**
   * async_register - register the completion ring. While it is registered, its memory cannot be
   * freed or unregistered ({@link free} throws EBUSY): the engine writes completions into it.
   * @returns 0, or -EINVAL (size not a positive multiple of the entry size, misaligned),
   *   -EFAULT (not in engine memory), -EBUSY (a ring is registered already).
   */
  async_register(registration: RingRegistration): number {
    if (this.#ring !== null) return -EBUSY;
    const capabilities = registration.capabilities ?? negotiateRing({ version: 1 });
    // Capabilities must be what negotiateRing gives: a forged entry size would post outside the ring.
    if ((capabilities.version !== 1 && capabilities.version !== 2) || capabilities.entrySize !== RING_ENTRY_SIZE[capabilities.version]) return -EINVAL;
    const address = Number(registration.ring);
    const size = registration.ringSizeBytes;
    if (!Number.isSafeInteger(size) || size <= 0 || size % capabilities.entrySize !== 0 || address % 8 !== 0) return -EINVAL;
    const region = this.memory.find(address, size);
    if (region === null) return -EFAULT;
    this.#ring = new CompletionRing(this.memory, region, address, size, capabilities);
    // The engine writes completions into it outside any chain: it must outlive the registration.
    this.memory.pin(region, 'the registered completion ring');
    this.#reportInline = registration.reportInline === true;
    return 0;
  }

  /**
   * async_unregister - forget the ring. Completions that could not be posted yet stay pending
   * for the next ring. @returns 0, or -EINVAL when none is registered.
   */
  async_unregister(): number {
    if (this.#ring === null) return -EINVAL;
    this.memory.unpin(this.#ring.region);
    this.#ring = null;
    this.#reportInline = false;
    return 0;
  }

  /** reap - take the next completion from the ring (NULLing its slot). @returns null when empty. */
  reap(): Completion | null {
    this.#pump();
    const completion = this.#ring?.reap() ?? null;
    if (completion !== null) this.#flushPending();
    return completion;
  }

  /**
   * async_wait - block the calling thread until at least `minEvents` completions wait in the ring.
   *
   * A completion waits from the moment it is stored until the consumer takes it, by
   * {@link reap} or — the 2007 contract — by reading its slot and setting it to NULL itself.
   * Either way the engine counts from the consumer's position, never from an index only
   * `reap()` moves.
   *
   * @param minEvents - how many to wait for (0 returns at once).
   * @param userRingIdx - the caller's own consumer index, the 2007 v3 `user_ring_idx`: the slot
   *   of the next completion it will take. Completions are then counted from that slot, and it
   *   becomes the consumer's position. Without it, the position is where the caller stopped
   *   taking slots (consumers take them in order).
   * @returns how many are there; fewer than asked only when nothing is left in flight (waiting
   *   longer could never succeed). -EINVAL when no ring is registered, `minEvents` exceeds its
   *   capacity, or `userRingIdx` is not a non-negative integer.
   * @example
   * ```ts
   * // Take slot 0 by hand, as a 2007 program did, then wait for the next one.
   * ring.view.setBigUint64(0, 0n, true);
   * engine.async_wait(1, 1);
   * ```
   */
  async_wait(minEvents: number, userRingIdx?: number): number {
    const ring = this.#ring;
    if (ring === null || !Number.isSafeInteger(minEvents) || minEvents < 0 || minEvents > ring.capacity) return -EINVAL;
    if (userRingIdx !== undefined && !(Number.isSafeInteger(userRingIdx) && userRingIdx >= 0)) return -EINVAL;
    this.waitUntil(() => ring.available(userRingIdx) >= minEvents || (this.#inflight === 0 && this.#pending.length === 0), null);
    return ring.available(userRingIdx);
  }

  /**
   * asyncWait - the Promise form of {@link async_wait}: resolves with the number of completions
   * waiting once there are at least `minEvents` (or nothing is left in flight).
   * @param options - `signal` aborts the wait; `userRingIdx` as for {@link async_wait}.
   * @throws (rejects) the signal's reason when `signal` aborts; RangeError when no ring is
   *   registered, `minEvents` exceeds it or `userRingIdx` is not a non-negative integer.
   */
  asyncWait(minEvents: number, options: { signal?: AbortSignal; userRingIdx?: number } = {}): Promise<number> {
    const ring = this.#ring;
    const userRingIdx = options.userRingIdx;
    if (ring === null || minEvents > ring.capacity) return Promise.reject(new RangeError('asyncWait: no ring registered, or minEvents exceeds it'));
    if (userRingIdx !== undefined && !(Number.isSafeInteger(userRingIdx) && userRingIdx >= 0)) return Promise.reject(new RangeError(`asyncWait: userRingIdx must be a non-negative integer, got ${String(userRingIdx)}`));
    return this.#whenReady(() => ring.available(userRingIdx) >= minEvents || (this.#inflight === 0 && this.#pending.length === 0), options.signal).then(() => ring.available(userRingIdx));
  }

  /**
   * completions - an async iterator over ring completions, in ring order. It ends when nothing is
   * in flight and the ring is empty, or when `signal` aborts.
   */
  async *completions(options: { signal?: AbortSignal } = {}): AsyncGenerator<Completion> {
    for (;;) {
      const next = this.reap();
      if (next !== null) {
        yield next;
        continue;
      }
      if (this.#inflight === 0 && this.#pending.length === 0) return;
      await this.#whenReady(() => (this.#ring?.available() ?? 0) > 0 || (this.#inflight === 0 && this.#pending.length === 0), options.signal);
    }
  }

  /**
   * waitUntil - block the calling thread, processing completions, until `ready()` is true.
   *
   * @param timeoutMs - null waits without limit.
   * @param interruptFd - an fd (a signalfd) whose readability interrupts the wait.
   * @returns 0 when ready (also when `interruptFd` became readable but `ready()` holds by then),
   *   -EAGAIN on timeout, -EINTR when `interruptFd` became readable first. Other signals (a
   *   handler interrupting the wait: libuv's SIGCHLD, a `process.on` listener) do not end it.
   */
  waitUntil(ready: () => boolean, timeoutMs: number | null, interruptFd = -1): number {
    const result = this.#waitUntil(ready, timeoutMs, interruptFd);
    // This wait may have consumed the eventfd poke the event loop was counting on: leave with a
    // poke armed and nothing undelivered, as the event-loop watcher does.
    while (this.#armWake()) this.#pump();
    return result;
  }

  #waitUntil(ready: () => boolean, timeoutMs: number | null, interruptFd: number): number {
    const deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : performance.now() + timeoutMs;
    for (;;) {
      this.#pump();
      if (ready()) return 0;
      const eventfd = this.#eventfd;
      const remaining = deadline - performance.now();
      if (remaining <= 0) return -EAGAIN;
      if (eventfd < 0 && interruptFd < 0) {
        // Nothing can complete and nothing can interrupt: waiting could never end.
        if (timeoutMs === null) return -EAGAIN;
      }
      // Ask cachemiss threads to poke the eventfd before sleeping; if something finished in the
      // meantime, go round again instead.
      if (this.#armWake()) continue;
      const uring = this.#uring;
      // Only the ring can end this wait (every chain in flight is in it: none on a cachemiss
      // thread, nor a successor waiting for one; no signalfd, no deadline): sleep in the ring.
      if (uring !== null && interruptFd < 0 && timeoutMs === null && uring.inFlight === this.#inflight && uring.waitForCompletion()) continue;
      const view = this.#scratch;
      const at = this.#scratchAddress;
      view.setInt32(0, eventfd, true);
      view.setInt16(4, POLLIN, true);
      view.setInt16(6, 0, true);
      view.setInt32(8, interruptFd, true);
      view.setInt16(12, POLLIN, true);
      view.setInt16(14, 0, true);
      let timespec = 0;
      if (Number.isFinite(remaining)) {
        const ns = Math.ceil(remaining * NS_PER_MS);
        view.setBigInt64(16, BigInt(Math.floor(ns / 1e9)), true);
        view.setBigInt64(24, BigInt(ns % 1e9), true);
        timespec = at + 16;
      }
      const polled = syscall(SYS_ppoll, at, interruptFd >= 0 ? 2 : 1, timespec, 0, 8);
      // A signal with a handler of its own (libuv's SIGCHLD for child_process, a process.on
      // listener) interrupts ppoll, which the kernel never restarts. It is not the program's
      // signal for this wait: glibc's futex wait restarts under SA_RESTART, which libuv's handlers
      // use. Go round: process completions, test ready(), recompute the time left.
      if (polled === -EINTR) continue;
      if (interruptFd >= 0 && (view.getInt16(14, true) & POLLIN) !== 0) {
        // A signal the program receives through the library: EINTR — unless what the caller
        // waits for has happened meanwhile, which it must then hear about.
        this.#pump();
        return ready() ? 0 : -EINTR;
      }
      if (eventfd >= 0 && (view.getInt16(6, true) & POLLIN) !== 0) syscall(SYS_read, eventfd, at + 32, 8);
    }
  }

  /** pump - process finished chains now (the event loop does this by itself). @returns how many. */
  pump(): number {
    return this.#pump();
  }

  /** @internal FinishedSink: one chain finished on a cachemiss thread. */
  chainFinished(finished: Finished): void {
    // A successor (submitAfter) is delivered after its predecessor, whichever thread ran it.
    if (this.#successors.holdBack(finished)) return;
    const released = this.#successors.release(finished.token);
    if (finished.serviceNs > 0) this.#govern(finished.serviceNs);
    this.#deliver(finished.token, finished.last, finished.result, (this.#atomsBefore[finished.token] as number) + finished.atoms, finished.stop);
    if (released !== null) this.chainFinished(released);
  }

  /**
   * The chain with `token` has ended on this thread (after an io_uring completion, or cancelled
   * there): as a cachemiss thread does when it ends one, seal its link word and start the
   * successor linked after it (cancelled instead while the engine closes) before delivering it;
   * then deliver a successor completion held back for it. Exactly once per chain: the word is
   * sealed by one exchange, whoever ends the chain.
   */
  #endHere(token: number, last: number, result: Word, atoms: number, stop: number, releaseMemory = true): void {
    this.#pool?.releaseSuccessor(token, this.#closed);
    const released = this.#successors.release(token);
    this.#deliver(token, last, result, atoms, stop, releaseMemory);
    if (released !== null) this.chainFinished(released);
  }

  /** The chain with `token` has ended (on a thread, or inline after an io_uring completion): deliver it once. */
  #deliver(token: number, last: number, result: Word, atoms: number, stop: number, releaseMemory = true): void {
    const listener = this.#listeners[token] ?? null;
    this.#listeners[token] = null;
    const latencyNs = (performance.now() - (this.#starts[token] as number)) * NS_PER_MS;
    const executed = this.#chains.executed[token] as number;
    if (this.#cancelling.size > 0 && this.#cancelling.delete(token) && this.#cancelling.size === 0) this.#stopCancelTimer();
    this.#freeTokens[this.#freeCount++] = token;
    if (releaseMemory) this.memory.unhold(this.#epochs[token] as number);
    if (--this.#inflight === 0) this.#watcher?.unref();
    if (listener !== null) {
      listener.chainDone(last, result, atoms, stop, latencyNs, executed);
      return;
    }
    if (last > 0 && this.#hasNoComplete(last)) return;
    this.#post({ atom: last, result, latencyNs, atoms, mode: 1, stop });
  }

  /**
   * @internal RingSink: the io_uring request of the chain with `token` completed. Its atom gets
   * the result and the chain goes on inline, here on the calling thread, until it ends, makes
   * another request, or needs a cachemiss thread.
   */
  ringCompleted(token: number, atom: number, flags: number, ret: number, retRegion: Region | null, value: number): void {
    this.#inRing[token] = 0;
    const out = this.#resumed;
    try {
      this.#executor.resume(atom, flags, ret, retRegion, value, out, this.#atomsBefore[token] as number, token);
    } catch {
      // Only a registered buffer detached under us (its DataView throws) can get here.
      this.#endHere(token, atom, -EFAULT, (this.#atomsBefore[token] as number) + 1, STOP.fault);
      return;
    }
    this.#continue(token, out);
    // Atoms the resumed part denied: their records go out now, outside the chain (as after submit).
    if (this.#executor.hasPendingDenies) this.#deliverDenies();
  }

  /** @internal RingSink: the kernel refused the request (its atom did not run): a thread runs the chain from it. */
  ringRefused(token: number, atom: number): void {
    this.#inRing[token] = 0;
    const pool = this.#ensurePool();
    if (!pool.submit(atom, token, this.#atomsBefore[token] as number, this.#chains.first[token], this.#chains.executed[token])) {
      this.#endHere(token, atom, -ECANCELED, this.#atomsBefore[token] as number, STOP.cancelled);
    }
  }

  /** After a resumed run: the chain ended, made another io_uring request, or needs a thread. */
  #continue(token: number, out: ExecOutcome): void {
    const atoms = (this.#atomsBefore[token] as number) + out.atoms;
    if (out.ring !== 0) {
      this.#atomsBefore[token] = atoms;
      this.#inRing[token] = 1;
      (this.#uring as UringEngine).commit(token);
      return;
    }
    if (out.handoff !== 0) {
      this.#atomsBefore[token] = atoms;
      if (this.#closed || !this.#ensurePool().submit(out.handoff, token, atoms, this.#chains.first[token], out.executed)) {
        // Closing: the chain stops before the atom it would have continued from.
        this.#endHere(token, out.handoff, -ECANCELED, atoms, STOP.cancelled);
      }
      return;
    }
    this.#endHere(token, out.last, out.result, atoms, out.stop);
  }

  /**
   * cancelChain - cancel one chain in flight on a cachemiss thread: it stops before its next atom,
   * a call it is blocked in is interrupted (returns -EINTR), and it completes — to `listener` —
   * with stop reason `cancelled`. Atoms already run keep their results. A call that a signal
   * cannot interrupt (disk I/O in progress) finishes first.
   *
   * @param token - the chain's token: `lastSubmit.token` right after submit returned 0.
   * @param listener - the listener it was submitted with (a token is reused once its chain
   *   completes: the pair names one chain).
   * @returns true when the chain was in flight and is now being cancelled.
   * @example
   * ```ts
   * if (engine.submit(first, listener) === 0) {
   *   const token = engine.lastSubmit.token;
   *   signal.addEventListener('abort', () => engine.cancelChain(token, listener));
   * }
   * ```
   */
  cancelChain(token: number, listener: ChainListener): boolean {
    if (!Number.isSafeInteger(token) || token < 0 || token >= MAX_INFLIGHT || this.#listeners[token] !== listener) return false;
    if (this.#cancelling.has(token)) return true;
    Atomics.store(this.#chains.cancel, token, 1);
    if (this.#inRing[token] === 1) {
      // In the ring: the kernel cancels the request (-ECANCELED, delivered as -EINTR), or it
      // completes first and the chain stops before its next atom.
      (this.#uring as UringEngine).cancel(token);
      this.#cancelling.set(token, listener);
      return true;
    }
    const pool = this.#pool;
    if (pool === null) return true;
    pool.cancelChain(token);
    this.#cancelling.set(token, listener);
    // A signal that lands between the thread's cancel check and its entry into the kernel is
    // lost, as in close(): signal again until the chain completes.
    this.#cancelTimer ??= setInterval(() => {
      for (const pending of this.#cancelling.keys()) pool.interruptChain(pending);
    }, CANCEL_RETRY_MS);
    this.#cancelTimer.unref();
    return true;
  }

  #stopCancelTimer(): void {
    if (this.#cancelTimer !== null) clearInterval(this.#cancelTimer);
    this.#cancelTimer = null;
  }

  /** killCachemissThread - fault injection: end a running cachemiss thread as if it crashed. */
  async killCachemissThread(index = 0): Promise<boolean> {
    return (await this.#pool?.terminateThread(index)) ?? false;
  }

  /**
   * close - stop the engine. Chains in flight are cancelled: each stops before its next atom
   * (a call blocked in the kernel is interrupted and returns -EINTR) and completes with stop
   * reason `cancelled`; listeners and the ring still receive them. Further submissions get
   * -ESHUTDOWN.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#stopCancelTimer();
    const uring = this.#uring;
    if (uring !== null) {
      // Chains in the ring are cancelled: each completes (cancelled, or done just before) and
      // stops before its next atom.
      for (let token = 0; token < MAX_INFLIGHT; token++) if (this.#inRing[token] === 1) Atomics.store(this.#chains.cancel, token, 1);
      await uring.close();
      // A request the kernel neither cancelled nor finished in time (one that cannot be
      // interrupted) still completes its chain, once, as cancelled. The kernel may yet write
      // into its buffers while it tears the ring down, so their memory is never given back.
      for (let token = 0; token < MAX_INFLIGHT; token++) {
        if (this.#inRing[token] !== 1) continue;
        this.#inRing[token] = 0;
        this.#endHere(token, uring.atomOf(token), -EINTR, this.#atomsBefore[token] as number, STOP.cancelled, false);
      }
    }
    const pool = this.#pool;
    if (pool !== null) await pool.close();
    this.#pump();
    if (this.#watcher !== null) liveWatchers.delete(this.#watcher);
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#eventfd >= 0) syscall(SYS_close, this.#eventfd);
    this.#eventfd = -1;
    // Every chain has ended (cancelled ones included): what the layers above lent out of engine
    // memory is no longer in use, so they can give it back now rather than at process exit.
    this.#closeDone = true;
    for (const hook of this.#closeHooks.splice(0)) hook();
  }

  /**
   * onClose - run `hook` once, when {@link close} has ended every chain in flight. The layers
   * above the engine (the path helpers, syslet-aio/fs) free the engine memory they keep pooled
   * here, so that closing an engine gives its memory back.
   *
   * @param hook - called on the JS thread; it must not throw. Called at once (synchronously)
   *   when the engine is already closed.
   * @example
   * ```ts
   * const region = engine.alloc(4096);
   * engine.onClose(() => engine.free(region));
   * ```
   */
  onClose(hook: () => void): void {
    if (this.#closeDone) {
      hook();
      return;
    }
    this.#closeHooks.push(hook);
  }

  /** Closes the engine, as {@link close} does: `await using engine = new Engine()`. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * The pool governor. A thread blocked in I/O costs no CPU, so chains that block (an uncached
   * read: ~100 µs asleep) want every thread; chains that only copy through the page cache (a
   * buffered write that ext4 cannot probe: ~3 µs of CPU) gain nothing from more threads than
   * cores — on one file they just fight for its inode lock (4 KiB writes: 4.3 µs/op with two
   * threads, 9.5 µs/op with eight). A moving average of service time picks between the two.
   */
  #govern(serviceNs: number): void {
    this.#serviceEma = this.#serviceEma === 0 ? serviceNs : this.#serviceEma * 0.95 + serviceNs * 0.05;
    const cpuBound = this.#serviceEma < CPU_BOUND_SERVICE_NS;
    if (cpuBound === this.#cpuBound) return;
    this.#cpuBound = cpuBound;
    this.#pool?.setMaxActive(cpuBound ? availableParallelism() : this.#options.threads);
  }

  /** The eventfd completions signal, and the libuv watcher that processes them on the event loop. */
  #ensureWake(): number {
    if (this.#eventfd >= 0) return this.#eventfd;
    const fd = syscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw new SyscallError(fd, 'eventfd2');
    this.#eventfd = fd;
    const scratch = this.#scratchAddress + 40;
    this.#watcher = watchReadable(fd, () => {
      syscall(SYS_read, fd, scratch, 8);
      // Back to the event loop only once a poke is armed and nothing is left to deliver.
      do this.#pump();
      while (this.#armWake());
    });
    closeAtExit(this.#watcher);
    if (this.#inflight > 0) this.#watcher.ref();
    return fd;
  }

  /**
   * The calling thread is about to sleep (in the event loop or a blocking wait): ask cachemiss
   * threads for an eventfd poke. @returns true when completions are already waiting (process
   * them instead of sleeping).
   */
  #armWake(): boolean {
    const pool = this.#pool;
    if (pool !== null && pool.armWake()) return true;
    // Under DEFER_TASKRUN the kernel signals the eventfd only when its list of completion work
    // goes from empty to non-empty: anything it already holds must be run before sleeping.
    return this.#uring?.hasWork() ?? false;
  }

  #ensurePool(): CachemissPool {
    if (this.#pool !== null) return this.#pool;
    const pool = new CachemissPool(this.memory, this.policy, {
      maxThreads: this.#options.threads,
      idleMs: this.#options.idleTimeMs,
      keepThreads: this.#minThreads,
      eventfd: this.#ensureWake(),
      chains: this.#chains,
      next: this.#next,
      executor: {
        maxAtomsPerChain: this.#executorOptions.maxAtomsPerChain,
        inlineBudget: this.#executorOptions.inlineBudget,
        unprobeableWrite: this.#executorOptions.unprobeableWrite,
      },
      ...(this.#options.onDeny === undefined ? {} : { onDeny: this.#options.onDeny }),
    });
    this.#pool = pool;
    return pool;
  }

  #pump(): number {
    let count = this.#uring === null ? 0 : this.#uring.pump();
    if (this.#pool !== null) count += this.#pool.drain(this);
    if (this.#pending.length > 0) this.#flushPending();
    if (this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
    return count;
  }

  #post(record: CompletionRecord): void {
    if (this.#pending.length > 0 || this.#ring === null || !this.#ring.tryPost(record)) this.#pending.push(record);
  }

  #flushPending(): void {
    const ring = this.#ring;
    if (ring === null) return;
    while (this.#pending.length > 0 && ring.tryPost(this.#pending[0] as CompletionRecord)) this.#pending.shift();
  }

  #hasNoComplete(atom: number): boolean {
    const region = this.memory.find(atom, ATOM.size);
    return region !== null && (region.view.getUint32(atom - region.start + ATOM.flags, true) & SYSLET_NO_COMPLETE) !== 0;
  }

  #whenReady(ready: () => boolean, signal: AbortSignal | undefined): Promise<void> {
    this.#pump();
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!ready()) return;
        cleanup();
        resolve();
      };
      const abort = (): void => {
        cleanup();
        reject(signal?.reason as Error);
      };
      const cleanup = (): void => {
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', abort);
      };
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiters.add(wake);
    });
  }
}
