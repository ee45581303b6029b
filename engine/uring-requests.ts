/**
 * The io_uring engine's book of requests in the ring, by chain token: which atom each request
 * runs, where its result goes, and the generation that makes its user_data unique.
 *
 * A chain's user_data is its token plus TOKENS × a 16-bit generation, bumped each time the
 * token's request ends: a CQE that arrives for an earlier request of the same token (only a bug
 * could produce one) never completes the chain that holds the token now. Typed arrays indexed by
 * token, so recording and retiring a request allocate nothing.
 */
import type { Region } from './memory.js';

/** Bits of user_data that carry the token (the Engine's MAX_INFLIGHT is 2^16). */
export const TOKEN_BITS = 16;
/** Tokens per engine. */
export const TOKENS = 2 ** TOKEN_BITS;
/** Returned by {@link RingRequests.tokenOf} for a user_data that is no live request's. */
export const STALE = -1;

/** The CQE's res is the call's result. */
export const RESULT_PLAIN = 0;
/** A timer's expiry (-ETIME) is its success: IORING_OP_TIMEOUT standing in for a sleep. */
export const RESULT_TIMEOUT = 1;
/** res is the events that came (written to the pollfd's revents); the call answers 1 (IORING_OP_POLL_ADD standing in for ppoll). */
export const RESULT_POLL = 2;

/** The requests of one io_uring engine, by token. */
export class RingRequests {
  readonly #generation = new Uint16Array(TOKENS);
  readonly #live = new Uint8Array(TOKENS);
  readonly #atom = new Float64Array(TOKENS);
  readonly #flags = new Uint32Array(TOKENS);
  readonly #ret = new Float64Array(TOKENS);
  readonly #retRegion: (Region | null)[] = [];
  readonly #resultKind = new Uint8Array(TOKENS);
  readonly #cancelAsked = new Uint8Array(TOKENS);

  /** userData - the user_data the next (or current) request of `token` carries. */
  userData(token: number): number {
    return token + TOKENS * (this.#generation[token] as number);
  }

  /**
   * record - the request of the chain with `token` is in the ring: it runs `atom` (with its
   * `flags`), its result goes to the cell at `ret` (in `retRegion`), and `resultKind` says how
   * the CQE's res becomes the call's result ({@link RESULT_PLAIN}, {@link RESULT_TIMEOUT} or
   * {@link RESULT_POLL}).
   */
  record(token: number, atom: number, flags: number, ret: number, retRegion: Region | null, resultKind: number): void {
    this.#live[token] = 1;
    this.#atom[token] = atom;
    this.#flags[token] = flags;
    this.#ret[token] = ret;
    this.#retRegion[token] = retRegion;
    this.#resultKind[token] = resultKind;
    this.#cancelAsked[token] = 0;
  }

  /** askedToCancel - the engine asked the kernel to cancel the request of `token`. */
  askedToCancel(token: number): void {
    this.#cancelAsked[token] = 1;
  }

  /** cancelWasAsked - whether the engine asked to cancel that request (a -ECANCELED it did not ask for is the ring unable to run it). */
  cancelWasAsked(token: number): boolean {
    return this.#cancelAsked[token] === 1;
  }

  /** isLive - whether the chain with `token` has a request in the ring. */
  isLive(token: number): boolean {
    return this.#live[token] === 1;
  }

  /**
   * tokenOf - the token of the live request `userData` names, or {@link STALE}. user_data below
   * 2^32 is split with integer operations (a double's % and Math.floor cost more per completion).
   */
  tokenOf(userData: number): number {
    const token = userData & (TOKENS - 1);
    if (userData > 0xffffffff || this.#live[token] !== 1 || userData >>> TOKEN_BITS !== this.#generation[token]) return STALE;
    return token;
  }

  /**
   * retire - the request of `token` has ended: its user_data is never valid again.
   * @returns its result cell's region (the reference is dropped here).
   */
  retire(token: number): Region | null {
    this.#live[token] = 0;
    this.#generation[token] = ((this.#generation[token] as number) + 1) & 0xffff;
    const retRegion = this.#retRegion[token] ?? null;
    this.#retRegion[token] = null;
    return retRegion;
  }

  /** atomOf - the atom whose request the chain with `token` has in the ring (or had last). */
  atomOf(token: number): number {
    return this.#atom[token] as number;
  }

  /** flagsOf - the flags of that atom. */
  flagsOf(token: number): number {
    return this.#flags[token] as number;
  }

  /** retOf - the address of that atom's result cell. */
  retOf(token: number): number {
    return this.#ret[token] as number;
  }

  /** resultKind - how that request's res becomes its call's result (RESULT_*). */
  resultKind(token: number): number {
    return this.#resultKind[token] as number;
  }
}
