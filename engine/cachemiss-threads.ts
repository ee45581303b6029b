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
/**
 * ... and the mean above which chains that counted as CPU-bound stop counting so: a band, not one
 * line, because the service time feeds back on the bound. Uncached 4 KiB reads on a fast virtio
 * disk (P2) run 25-35 µs on their thread; with three threads on two cores a chain waits for a CPU
 * and its service passes 30 µs, with one thread it falls under 30 µs: the bound flipped between 1
 * and 3 every few chains (hundreds of flips in 8,192 reads), and each flip up started a thread.
 */
const LONG_SERVICE_NS = 45_000;
/**
 * One chain's service time counts at most this much in the mean: one read that waited 3 ms for
 * the disk otherwise held the mean over 30 µs for the next ~90 chains. (Chains that block long
 * all do so: their mean still passes the band at once.)
 */
const SERVICE_CLIP_NS = 4 * CPU_BOUND_SERVICE_NS;
/** The first busy samples are averaged alike, later ones weigh 1/20 (the first alone set the bound before). */
const BUSY_WARM_SAMPLES = 20;
/** The least CPU share the governor counts with (a chain blocked for seconds asks for every thread anyway). */
const MIN_BUSY = 1 / 1024;
const CORES = Math.max(1, availableParallelism());
/**
 * Threads that run short CPU-bound chains at once: one core fewer than there are, because the
 * calling thread that submits them and takes their completions spends about as long per chain as
 * the thread that runs it (a 4 KiB ext4 write: 7-10 µs of JavaScript and probes on the calling
 * thread, 2-3 µs in the kernel on the cachemiss thread), so it needs a core of its own. Measured
 * on 2 vCPUs, 100,000 cached 4 KiB writes at QD64 (alternating runs at load 13-16): one thread
 * 11.4-16 µs of CPU per write and 0.04-0.08 context switches, two threads 18-21 µs and 0.13-0.63.
 */
const SHORT_CHAIN_THREADS = Math.max(1, CORES - 1);
/**
 * The most threads the governor keeps alive while idle on the threads engine (see
 * {@link CachemissThreads.govern}), and the chains it must have seen before it does.
 */
const GOVERNED_KEEP_MAX = CORES + 1;
const GOVERNED_KEEP_AFTER = 128;

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
  /** Moving average of the chains' service time, each clipped at SERVICE_CLIP_NS (0: none yet). */
  #serviceEma = 0;
  /** Whether chains count as short and CPU-bound now (see LONG_SERVICE_NS). */
  #short = false;
  /** Moving average of the share of service time not blocked, over sampled chains (0: none yet). */
  #busyEma = 0;
  /** Samples taken into busyEma, counted up to BUSY_WARM_SAMPLES. */
  #busySamples = 0;
  /**
   * The active-thread bound last set: at first the pool's size, which the pool starts with (the
   * governor sets a bound only when it changes, so a bound set by hand stays until then); 0
   * after a reconfiguration, so the next chain sets it.
   */
  #bound: number;
  /** Chains the governor has seen, counted up to GOVERNED_KEEP_AFTER. */
  #judged = 0;
  /** The most threads the governor has asked the pool to keep alive while idle (0: none). */
  #kept = 0;

  constructor(settings: ThreadSettings, shared: ThreadShared) {
    this.#settings = settings;
    this.#shared = shared;
    this.#bound = settings.threads;
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
    // The governor's bound was taken against the old size: its next chain sets it again.
    this.#bound = 0;
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
   * The pool governor: how many threads may run chains at once (and so how many the pool grows
   * to). A thread blocked in I/O costs no CPU, so chains that block long (a read from a disk at
   * 8 ms, a socket) want every thread; chains that only copy through the page cache (a buffered
   * write that ext4 cannot probe: ~3 µs of CPU) gain nothing from more threads than cores — on
   * one file they just fight for its inode lock (4 KiB writes: 4.3 µs/op with two threads,
   * 9.5 µs/op with eight). Between the two, the share of a chain's service time its thread was
   * not blocked (on a CPU or waiting for one: cachemiss-clock.ts) says how many threads keep the
   * cores busy: `cores / busy`, to the nearest (a thread now and then blocked a moment — a page
   * fault, a GC pause — must not add a thread per core). More than that buy nothing on a machine whose CPUs are the
   * limit, and each costs: 100-150 ms of CPU to start (an
   * isolate, the engine's modules, koffi's addon), its own JIT warm-up, and a futex wake-up per
   * chain it takes from an idle wait. Measured on 2 vCPUs (uncached 4 KiB reads at QD64, a
   * virtio disk, threads started beforehand): 2 threads 12-15 µs of CPU per read, 16 threads
   * 35-40 µs, and no faster; ext4 writes: 13 cachemiss threads 40 µs CPU/write, 2 threads 13-17.
   * Chains under 30 µs (a mean of service times clipped at 120 µs; once under, they stay so until
   * it passes 45 µs) count as CPU-bound whatever the ratio (a write waiting on the inode lock
   * sleeps, but more threads only lengthen that wait), and run on one core fewer than there are
   * (the calling thread is as busy as they are: see SHORT_CHAIN_THREADS).
   *
   * @param serviceNs - how long the chain ran on its thread.
   * @param busyNs - how long of it the thread was not blocked, when sampled; else 0.
   */
  govern(serviceNs: number, busyNs: number): void {
    const clipped = Math.min(serviceNs, SERVICE_CLIP_NS);
    this.#serviceEma = this.#serviceEma === 0 ? clipped : this.#serviceEma * 0.95 + clipped * 0.05;
    if (busyNs > 0) {
      const busy = Math.min(1, busyNs / serviceNs);
      // The first samples are averaged alike (a fresh thread's first chains are its noisiest).
      if (this.#busySamples < BUSY_WARM_SAMPLES) this.#busySamples++;
      const weight = 1 / this.#busySamples;
      this.#busyEma = this.#busyEma * (1 - weight) + busy * weight;
    }
    const cores = CORES;
    let bound: number;
    this.#short = this.#serviceEma < (this.#short ? LONG_SERVICE_NS : CPU_BOUND_SERVICE_NS);
    if (this.#short) bound = SHORT_CHAIN_THREADS;
    else if (this.#busyEma === 0) bound = this.#settings.threads;
    else bound = Math.max(cores, Math.min(this.#settings.threads, Math.round(cores / Math.max(this.#busyEma, MIN_BUSY))));
    if (bound !== this.#bound) {
      this.#bound = bound;
      this.#pool?.setMaxActive(bound);
    }
    if (this.#judged < GOVERNED_KEEP_AFTER) {
      this.#judged++;
      return;
    }
    // The threads the bound lets run stay alive while idle (up to one more than the cores): a
    // thread costs 50-60 ms of CPU to start and as much again in its isolate's JIT compiles, so
    // letting it go after the POSIX layer's 1 s idle time, as glibc lets its 30 µs threads go,
    // made a program that reads in bursts start its threads again in every burst (the bench's P2,
    // run in rounds). Only on the threads engine (on io_uring, threads serve rare calls), and only
    // once the figures are worth something (a fresh thread's first chains run uncompiled).
    const keep = Math.min(bound, GOVERNED_KEEP_MAX);
    if (keep > this.#kept && !this.#shared.withRing) {
      this.#kept = keep;
      this.#pool?.keepAtLeast(keep);
    }
  }
}
