/**
 * The cachemiss pool's settings, the sink its finished chains go to, and the successor link
 * word's sealed value (split from pool.ts, which re-exports them).
 */
import type { TraceRecord } from './policy.js';
import type { ChainTable, ExecutorOptions } from './executor.js';
import type { Finished } from './completion-queue.js';

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
   * Per token, the successor link word (see pool.ts's module comment): the Engine's, which clears a
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
