/**
 * The engine's side of its cachemiss pool (split from engine.ts): the pool's settings (aio_init's
 * knobs, the threads kept started), starting the pool on first need, and the governor that bounds
 * how many threads run chains at once by how long chains take.
 */
import { availableParallelism } from 'node:os';
import type { MemoryRegistry } from './memory.js';
import type { Policy, TraceRecord } from './policy.js';
import type { ChainTable, ExecutorOptions } from './executor.js';
import { CachemissPool } from './pool.js';
import { checkIdle, checkThreads } from './engine-options.js';

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
/** Mean service time below which cachemiss chains count as CPU-bound (see the governor). */
const CPU_BOUND_SERVICE_NS = 30_000;

/** The pool settings an engine was given, with its defaults filled in. */
export interface ThreadSettings {
  threads: number;
  idleTimeMs: number;
  readonly minThreads?: number | undefined;
  readonly onDeny?: ((record: TraceRecord) => void) | undefined;
}

/** What the pool shares with its engine. */
export interface ThreadShared {
  readonly memory: MemoryRegistry;
  readonly policy: Policy;
  readonly chains: ChainTable;
  readonly next: Int32Array;
  readonly executorOptions: ExecutorOptions;
  /** Whether the engine has an io_uring engine (then threads serve only calls without an opcode). */
  readonly withRing: boolean;
  /** The engine's eventfd (made on first call). */
  readonly eventfd: () => number;
}

/** An engine's cachemiss pool, started on first need, and its governor (one per engine). */
export class CachemissThreads {
  readonly #settings: ThreadSettings;
  readonly #shared: ThreadShared;
  #pool: CachemissPool | null = null;
  #serviceEma = 0;
  #cpuBound = false;

  constructor(settings: ThreadSettings, shared: ThreadShared) {
    this.#settings = settings;
    this.#shared = shared;
  }

  /** The pool, or null before it is needed. */
  get pool(): CachemissPool | null {
    return this.#pool;
  }

  /** Cachemiss threads kept started (EngineOptions.minThreads). */
  get minThreads(): number {
    return Math.min(this.#settings.minThreads ?? (this.#shared.withRing ? DEFAULT_MIN_THREADS_WITH_RING : DEFAULT_MIN_THREADS), this.#settings.threads);
  }

  /** Engine.configurePool: see there. */
  configure(threads: number, idleTimeMs: number): void {
    checkThreads(threads, 'threads');
    checkIdle(idleTimeMs);
    this.#settings.threads = threads;
    this.#settings.idleTimeMs = idleTimeMs;
    this.#pool?.reconfigure(this.#settings.threads, idleTimeMs);
  }

  /** Engine.warm: see there. */
  async warm(count: number, timeoutMs: number): Promise<void> {
    checkThreads(count, 'count');
    const pool = this.ensure();
    const target = Math.min(count, pool.maxThreads);
    pool.warm(target);
    const deadline = performance.now() + timeoutMs;
    while (pool.ready < target && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 5));
  }

  /** The pool, started now if it was not. */
  ensure(): CachemissPool {
    if (this.#pool !== null) return this.#pool;
    const shared = this.#shared;
    const pool = new CachemissPool(shared.memory, shared.policy, {
      maxThreads: this.#settings.threads,
      idleMs: this.#settings.idleTimeMs,
      keepThreads: this.minThreads,
      eventfd: shared.eventfd(),
      chains: shared.chains,
      next: shared.next,
      executor: {
        maxAtomsPerChain: shared.executorOptions.maxAtomsPerChain,
        inlineBudget: shared.executorOptions.inlineBudget,
        unprobeableWrite: shared.executorOptions.unprobeableWrite,
      },
      ...(this.#settings.onDeny === undefined ? {} : { onDeny: this.#settings.onDeny }),
    });
    this.#pool = pool;
    return pool;
  }

  /**
   * The pool governor. A thread blocked in I/O costs no CPU, so chains that block (an uncached
   * read: ~100 µs asleep) want every thread; chains that only copy through the page cache (a
   * buffered write that ext4 cannot probe: ~3 µs of CPU) gain nothing from more threads than
   * cores — on one file they just fight for its inode lock (4 KiB writes: 4.3 µs/op with two
   * threads, 9.5 µs/op with eight). A moving average of service time picks between the two.
   */
  govern(serviceNs: number): void {
    this.#serviceEma = this.#serviceEma === 0 ? serviceNs : this.#serviceEma * 0.95 + serviceNs * 0.05;
    const cpuBound = this.#serviceEma < CPU_BOUND_SERVICE_NS;
    if (cpuBound === this.#cpuBound) return;
    this.#cpuBound = cpuBound;
    this.#pool?.setMaxActive(cpuBound ? availableParallelism() : this.#settings.threads);
  }
}
