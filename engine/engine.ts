/**
 * The syslet engine: `async_exec` runs a chain inline while nothing blocks; when a call would
 * block, the rest of the chain — from that atom — moves to a cachemiss thread and `async_exec`
 * returns 0. Completions of chains that went asynchronous land in the registered ring (and wake
 * `async_wait`, `asyncWait` and iterators), or go to the listener an internal submitter gave.
 * The event loop learns of them through an eventfd watched by libuv, referenced only while
 * chains are in flight, so an idle engine never keeps a process alive.
 */
import { Policy } from './policy.js';
import { Executor } from './executor.js';
import { CannedChain } from './executor-canned.js';
export type { ExecOutcome } from './executor.js';
import { selectEngine } from './uring-select.js';
import { UringEngine } from './uring-engine.js';
import type { RingFileReads } from './uring-file-reads.js';
import type { DirectRequestTarget } from './uring-direct.js';
import { NR } from './syscalls/nr.js';
import { isMainThread } from 'node:worker_threads';
import { releaseResourcesOfEndedThreads } from './native/index.js';
import { resolveEngineOptions, type AsyncEngineInfo, type ChainCompletion, type ChainListener, type EngineOptions, type SubmitReport } from './engine-options.js';
export type { AsyncEngineInfo, ChainCompletion, ChainListener, EngineOptions, RingRegistration, SubmitReport } from './engine-options.js';
import { EnginePoolApi } from './engine-pool-api.js';
import { paced } from './event-loop-turns.js';
import { EngineWake, type WakeHooks } from './engine-wake.js';
import { droppedEngines, RingRelay } from './engine-dropped.js';
import { ChainTokens } from './chain-tokens.js';
import { CachemissThreads } from './cachemiss-threads.js';
import { ChainSubmission } from './chain-submission.js';
import { ChainEndings } from './chain-endings.js';
import { ChainCancels } from './chain-cancel.js';

const NS_PER_MS = 1e6;

/**
 * The engine. Create one per policy domain; the POSIX layer uses a shared default one.
 *
 * The class is the facade over the engine's parts, each in a module of its own: its memory
 * (engine-memory.ts), completion ring (engine-ring-api.ts) and pool calls (engine-pool-api.ts),
 * whose classes it extends; the chains in flight by token (chain-tokens.ts), submitting them
 * (chain-submission.ts), ending and delivering them (chain-endings.ts), cancelling one
 * (chain-cancel.ts), its cachemiss threads (cachemiss-threads.ts) and the eventfd wake-up and
 * blocking wait (engine-wake.ts).
 */
export class Engine extends EnginePoolApi {
  /** The syscall policy its atoms run under (narrowed by the `allow` option or {@link Policy.narrow}). */
  readonly policy = new Policy();
  readonly #uring: UringEngine | null;
  readonly #asyncEngine: AsyncEngineInfo;
  readonly #tokens: ChainTokens;
  readonly #wake: EngineWake;
  /** The wake-up's hooks: it holds them weakly, this engine for as long as it lives (engine-dropped.ts). */
  // eslint-disable-next-line no-unused-private-class-members -- held, never read: see above
  readonly #wakeHooks: WakeHooks;
  readonly #threads: CachemissThreads;
  readonly #submission: ChainSubmission;
  readonly #endings: ChainEndings;
  readonly #cancels: ChainCancels;
  #closeDone = false;
  readonly #closeHooks: (() => void)[] = [];

  /** @internal The engine's side of its cachemiss pool, for {@link EnginePoolApi}'s calls. */
  protected get cachemissThreads(): CachemissThreads {
    return this.#threads;
  }

  constructor(options: EngineOptions = {}) {
    super();
    const { settings, executorOptions } = resolveEngineOptions(options);
    // Terminated workers' rings and eventfds (their JavaScript never ran to close them) go first:
    // a pool that replaces its workers starts engines as it goes (engine/native/thread-resources.ts).
    releaseResourcesOfEndedThreads();
    if (options.allow !== undefined) this.policy.narrow(options.allow);
    const tokens = (this.#tokens = new ChainTokens());
    // Kept here: the wake holds them weakly (engine-wake.ts), so that they live as long as this engine.
    const wakeHooks = (this.#wakeHooks = {
      pump: () => this.#pump(),
      completionsWaiting: () => (this.#threads.pool?.completionsWaiting() ?? false) || (this.#uring?.completionsReady() ?? false),
      armWake: () => this.#armWake(),
      inflight: () => tokens.inflight,
      stallCheckDue: () => this.#threads.pool?.stallCheckDue ?? Number.POSITIVE_INFINITY,
      checkStallIfDue: () => this.#threads.pool?.checkStallIfDue(),
    });
    const wake = (this.#wake = new EngineWake(wakeHooks));
    // The eventfd first: at the fd limit the ring must not take the last fd and leave the
    // eventfd none (the ring was then lost for good, and every later engine found no fd).
    const eventfd = wake.ensure();
    const choice = selectEngine(options.engine);
    // The ring reports to the engine's parts, never to the engine: a ring the finalizer below
    // holds must not keep its engine alive.
    const relay = new RingRelay(wake);
    let uring: UringEngine | null = null;
    let reason = choice.engine === 'threads' ? choice.reason : '';
    if (choice.engine === 'io_uring') {
      try {
        uring = new UringEngine(choice.ring, choice.supportedOps, choice.setupFlags, this.memory, eventfd, relay);
      } catch (error) {
        choice.ring.release();
        reason = `the ring was set up but ${error instanceof Error ? error.message : String(error)}`;
      }
    }
    this.#uring = uring;
    this.#asyncEngine = uring === null ? { kind: 'threads', reason } : { kind: 'io_uring', ...uring.description };
    this.#threads = new CachemissThreads(settings, {
      memory: this.memory,
      policy: this.policy,
      chains: tokens.chains,
      next: tokens.next,
      executorOptions,
      withRing: this.#uring !== null,
      eventfd: eventfdOf(wake),
    });
    const executor = new Executor(this.memory, this.policy, 'inline', {
      ...executorOptions,
      chains: tokens.chains,
      ...(this.#uring === null ? {} : { ring: this.#uring }),
    });
    const parts = { memory: this.memory, executor, tokens, threads: this.#threads, uring: this.#uring, delivery: this.delivery, wake };
    this.#submission = new ChainSubmission(parts);
    this.#cancels = new ChainCancels(tokens, this.#uring, this.#threads);
    this.#endings = relay.endings = new ChainEndings({ ...parts, cancels: this.#cancels, submission: this.#submission });
    if (!isMainThread) releasedAtWorkerExit(this);
    droppedEngines.register(this, { uring: this.#uring, threads: this.#threads, wake }, this);
    // Threads ahead of need: the first blocking request must not wait for one to start. With
    // io_uring they serve only calls without an opcode: one is enough to start with.
    if (this.#threads.minThreads > 0) this.#threads.ensure();
  }

  /**
   * What makes this engine's would-block calls: io_uring (with its set-up and the calls it makes
   * on this kernel) or cachemiss threads (with the reason io_uring is not used).
   */
  get asyncEngine(): AsyncEngineInfo {
    return this.#asyncEngine;
  }

  /** Whether {@link close} has been called (every later submission gets -ESHUTDOWN). */
  get closed(): boolean {
    return this.#tokens.closed;
  }

  /** Chains submitted and not yet completed. */
  get inflight(): number {
    return this.#tokens.inflight;
  }

  /** Why the most recent inline completion stopped (STOP); valid right after submit returned > 0. */
  get lastInlineStop(): number {
    return this.#submission.outcome.stop;
  }

  /**
   * What the most recent {@link submit} did on the calling thread: its last atom, atom count,
   * executed mask and stop reason, and its token when it went asynchronous. Valid right after
   * submit returned >= 0; the object is reused.
   */
  get lastSubmit(): SubmitReport {
    return this.#submission.report;
  }

  /**
   * @internal The io_uring engine's linked whole-file reads (engine/uring-file-reads.ts), for the
   * plugins' file reader: null with cachemiss threads, on a kernel without their opcodes, and
   * when this engine's policy denies a call they make (openat, read, close).
   */
  get fileReads(): RingFileReads | null {
    const uring = this.#uring;
    if (uring === null) return null;
    const policy = this.policy;
    if (policy.check(NR.openat) !== 0 || policy.check(NR.read) !== 0 || policy.check(NR.close) !== 0) return null;
    return uring.fileReads;
  }

  /**
   * @internal ringDirect - one io_uring request made directly for `target`, not a chain
   * (engine/uring-direct.ts): for syslet-aio/fs's stat, readlink and realpath bursts. `sqeFlags`:
   * IOSQE_ASYNC to send it to io-wq at once (an O_PATH open the kernel would otherwise try on this
   * thread). The caller checks the policy and
   * keeps the addresses valid until `target.ringDone` is called (once: the CQE's result, or
   * -ECANCELED when the kernel never ran it).
   * @returns false with cachemiss threads, or when the ring takes no more requests now.
   */
  ringDirect(target: DirectRequestTarget, opcode: number, fd: number, off: number, addr: number, len: number, opFlags: number, sqeFlags = 0): boolean {
    return this.#uring?.direct(target, opcode, fd, off, addr, len, opFlags, sqeFlags) ?? false;
  }

  /** Requests in flight in the io_uring engine's ring (0 with cachemiss threads): for diagnostics and tests. */
  get ringInFlight(): number {
    return this.#uring?.inFlight ?? 0;
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
    return this.#submission.submit(atom, listener, offRing);
  }

  /** cannedChain - a handle for the chain at `first`, which the caller will submit again and again with {@link submitCanned}. */
  cannedChain(first: number): CannedChain {
    return new CannedChain(first);
  }

  /**
   * submitCanned - {@link submit} of `plan.first`, run through the plan the handle keeps: the
   * same checks and results, with less work per run for a chain submitted many times (a plugin
   * instance; engine/executor-canned.ts says how).
   */
  submitCanned(plan: CannedChain, listener: ChainListener | null, offRing = false): number {
    return this.#submission.submit(plan.first, listener, offRing, plan);
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
    return this.#submission.submitAfter(atom, listener, predecessor);
  }

  /**
   * withdraw - take back a chain given to {@link submitAfter} that no thread has started: it
   * will never run, and its listener is not called. A chain linked after it moves up.
   *
   * @param token - its token. @param listener - the listener it was given (the pair names one chain).
   * @returns true when it was taken back; false when its predecessor has ended (it runs, or will).
   */
  withdraw(token: number, listener: ChainListener): boolean {
    return this.#submission.withdraw(token, listener);
  }

  /**
   * runChain - run a chain and resolve with how it ended, inline or not.
   * @throws RangeError with the errno when the submission is refused.
   */
  runChain(atom: number): Promise<ChainCompletion> {
    // An inline chain resolves in the microtask queue: past this turn's budget it waits for the next turn.
    return paced(new Promise((resolve, reject) => {
      const start = performance.now();
      const result = this.submit(atom, {
        chainDone: (last, value, atoms, stop, latencyNs) => resolve({ last, result: value, atoms, stop, mode: 'cachemiss', latencyNs }),
      });
      if (result < 0) reject(new RangeError(`submission refused: ${result}`));
      else if (result > 0) resolve(this.#inlineCompletion(start));
    }));
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
    const out = this.#submission.outcome;
    return { last: out.last, result: out.result, atoms: out.atoms, stop: out.stop, mode: 'inline', latencyNs: (performance.now() - start) * NS_PER_MS };
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
    const result = this.#wake.waitUntil(ready, timeoutMs, interruptFd, this.#uring);
    // This wait may have consumed the eventfd poke the event loop was counting on: leave with a
    // poke armed and nothing undelivered, as the event-loop watcher does.
    while (this.#armWake()) this.#pump();
    return result;
  }

  /**
   * @internal The worker thread this engine was made on is ending (its 'exit' event: it returned,
   * called process.exit(), or ran out of work): give back the fds the process would otherwise
   * keep — the io_uring ring, the eventfd, the cachemiss threads' clock files. Nothing here waits:
   * no JavaScript of this thread runs again. On the main thread the process's exit does this.
   */
  releaseAtWorkerExit(): void {
    const tokens = this.#tokens;
    if (tokens.closed) return;
    tokens.closed = true;
    droppedEngines.unregister(this);
    this.#uring?.releaseAtWorkerExit();
    this.#threads.pool?.closeAtWorkerExit();
    this.#wake.close();
  }

  /** pump - process finished chains now (the event loop does this by itself). @returns how many. */
  pump(): number {
    return this.#pump();
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
    return this.#cancels.cancel(token, listener);
  }

  /**
   * close - stop the engine. Chains in flight are cancelled: each stops before its next atom
   * (a call blocked in the kernel is interrupted and returns -EINTR) and completes with stop
   * reason `cancelled`; listeners and the ring still receive them. Further submissions get
   * -ESHUTDOWN.
   */
  async close(): Promise<void> {
    const tokens = this.#tokens;
    if (tokens.closed) return;
    tokens.closed = true;
    droppedEngines.unregister(this);
    this.#cancels.stop();
    const uring = this.#uring;
    if (uring !== null) await this.#endings.closeRing(uring);
    const pool = this.#threads.pool;
    if (pool !== null) await pool.close();
    this.#pump();
    this.#wake.close();
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
   * The calling thread is about to sleep (in the event loop or a blocking wait): ask cachemiss
   * threads for an eventfd poke. @returns true when completions are already waiting (process
   * them instead of sleeping).
   */
  #armWake(): boolean {
    const pool = this.#threads.pool;
    if (pool !== null && pool.armWake()) return true;
    // Under DEFER_TASKRUN the kernel signals the eventfd only when its list of completion work
    // goes from empty to non-empty: anything it already holds must be run before sleeping.
    return this.#uring?.hasWork() ?? false;
  }

  /** Processes finished chains: io_uring completions, then the cachemiss threads' queues. @returns how many. */
  #pump(): number {
    let count = this.#uring === null ? 0 : this.#uring.pump();
    const pool = this.#threads.pool;
    if (pool !== null) count += pool.drain(this.#endings);
    this.delivery.afterPump();
    return count;
  }
}

/**
 * eventfdOf - the pool's way to its engine's eventfd. Made out here: a closure made in the
 * constructor shares its context, `this` included, and the pool would keep the engine alive
 * (engine-dropped.ts).
 */
function eventfdOf(wake: EngineWake): () => number {
  return () => wake.ensure();
}

/** The engines of this worker thread, released at its exit (see Engine.releaseAtWorkerExit). */
const workerEngines = new Set<WeakRef<Engine>>();

function releasedAtWorkerExit(engine: Engine): void {
  if (workerEngines.size === 0) {
    process.once('exit', () => {
      for (const ref of workerEngines) ref.deref()?.releaseAtWorkerExit();
      workerEngines.clear();
    });
  }
  workerEngines.add(new WeakRef(engine));
}
