/**
 * Cancelling one chain in flight (Engine.cancelChain; split from engine.ts): the cancel flag its
 * executor checks before each atom, the kernel's cancellation of its io_uring request, or the
 * signal that interrupts its cachemiss thread — sent again until the chain completes, since a
 * signal can land before the thread enters the kernel.
 */
import type { UringEngine } from './uring-engine.js';
import type { ChainListener } from './engine-options.js';
import { MAX_INFLIGHT, type ChainTokens } from './chain-tokens.js';
import type { CachemissThreads } from './cachemiss-threads.js';

/** How often a cancelled chain's thread is signalled again while the chain has not completed. */
const CANCEL_RETRY_MS = 5;

/** The chains being cancelled in one engine, and the timer that signals their threads again. */
export class ChainCancels {
  readonly #tokens: ChainTokens;
  readonly #uring: UringEngine | null;
  readonly #threads: CachemissThreads;
  // Cancelled chains still in flight: their threads are signalled again until they complete.
  readonly #cancelling = new Map<number, ChainListener>();
  #cancelTimer: ReturnType<typeof setInterval> | null = null;

  constructor(tokens: ChainTokens, uring: UringEngine | null, threads: CachemissThreads) {
    this.#tokens = tokens;
    this.#uring = uring;
    this.#threads = threads;
  }

  /** Engine.cancelChain: see there. */
  cancel(token: number, listener: ChainListener): boolean {
    const tokens = this.#tokens;
    if (!Number.isSafeInteger(token) || token < 0 || token >= MAX_INFLIGHT || tokens.listeners[token] !== listener) return false;
    if (this.#cancelling.has(token)) return true;
    Atomics.store(tokens.chains.cancel, token, 1);
    if (tokens.inRing[token] === 1) {
      // In the ring: the kernel cancels the request (-ECANCELED, delivered as -EINTR), or it
      // completes first and the chain stops before its next atom.
      (this.#uring as UringEngine).cancel(token);
      this.#cancelling.set(token, listener);
      return true;
    }
    const pool = this.#threads.pool;
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

  /** The chain with `token` completed: stop signalling it (and stop the timer when it was the last). */
  ended(token: number): void {
    if (this.#cancelling.size > 0 && this.#cancelling.delete(token) && this.#cancelling.size === 0) this.stop();
  }

  /** Stops the retry timer (the engine closes: its pool interrupts every chain itself). */
  stop(): void {
    if (this.#cancelTimer !== null) clearInterval(this.#cancelTimer);
    this.#cancelTimer = null;
  }
}
