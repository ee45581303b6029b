/**
 * The engine's chains in flight, by token (split from engine.ts): the free tokens, and per token
 * what the calling thread keeps about its chain (listener, start time, atoms run before the
 * current part, memory epoch, whether it waits in the io_uring ring) next to what it shares with
 * cachemiss threads (the ChainTable and the successor link words). A token is handed out when a
 * chain goes asynchronous and comes back when its completion is delivered.
 */
import type { ChainTable } from './executor.js';
import type { ChainListener } from './engine-options.js';
import { SuccessorLinks } from './successors.js';

/** Most chains in flight at once in one engine (the size of every per-token array). */
export const MAX_INFLIGHT = 65536;

/** Per-token state of one engine's chains in flight (JS thread; the shared arrays also cachemiss threads). */
export class ChainTokens {
  /** First atom, executed mask and cancel flag per token, shared with cachemiss threads. */
  readonly chains: ChainTable = {
    first: new Float64Array(new SharedArrayBuffer(MAX_INFLIGHT * 8)),
    executed: new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4)),
    cancel: new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4)),
  };
  /**
   * Per token, the successor link word shared with cachemiss threads (see CachemissPool.submitAfter):
   * cleared here when a token is handed out, sealed by whichever thread ends the chain — a
   * cachemiss thread, or this one for a chain that ends after an io_uring completion.
   */
  readonly next = new Int32Array(new SharedArrayBuffer(MAX_INFLIGHT * 4));
  /** Ring chains by token (the rest in flight are on threads): 1 while its request is in the ring. */
  readonly inRing = new Uint8Array(MAX_INFLIGHT);
  // In-flight chains, by token.
  readonly listeners: (ChainListener | null)[] = [];
  readonly starts = new Float64Array(MAX_INFLIGHT);
  readonly atomsBefore = new Int32Array(MAX_INFLIGHT);
  readonly epochs = new Int32Array(MAX_INFLIGHT);
  readonly successors = new SuccessorLinks(MAX_INFLIGHT);
  /** Tokens given back, a stack: the last given is the next taken. */
  readonly #givenBack = new Int32Array(MAX_INFLIGHT);
  #givenCount = 0;
  /**
   * Tokens from here up have never been handed out. Why not a free list of all 65,536 filled at
   * construction: in a fresh process that loop ran in the interpreter, 1.3-2 ms of the ~8.5 ms
   * CPU a new engine cost (the first call of syslet-aio/fs pays it). The order is the free
   * list's: given-back tokens first, last given first, then 0, 1, 2, ...
   */
  #neverUsed = 0;
  /** Chains submitted and not yet completed. */
  inflight = 0;
  /** The engine has closed: no new chain, and chains that would go on are cancelled instead. */
  closed = false;

  /** Tokens free now (0: a submission must be refused before its first atom runs). */
  get free(): number {
    return this.#givenCount + MAX_INFLIGHT - this.#neverUsed;
  }

  /** Takes a free token (check {@link free} first). */
  take(): number {
    return this.#givenCount > 0 ? (this.#givenBack[--this.#givenCount] as number) : this.#neverUsed++;
  }

  /** Gives a token back. */
  give(token: number): void {
    this.#givenBack[this.#givenCount++] = token;
  }
}
