/**
 * The calling thread's side of successor chains (Engine.submitAfter): which chain each one was
 * linked after, and the completions held back until that predecessor's own completion has been
 * delivered. A successor normally runs on its predecessor's thread and completes after it in the
 * same completion queue; but when it went to the shared queue instead (the predecessor had just
 * ended, or its thread died), another thread may finish it first — and a listener must still see
 * the predecessor end first, as the order was the point of linking them.
 */
import type { Finished } from './completion-queue.js';

const NONE = -1;

/** Successor links by token (JS thread only). */
export class SuccessorLinks {
  /** Per token: the predecessor whose completion has not been delivered yet, or NONE. */
  readonly #after: Int32Array;
  /** Per token: the successor linked after it, or NONE. */
  readonly #successor: Int32Array;
  /** Completions of successors that ended before their predecessor was delivered, by token. */
  readonly #held = new Map<number, Finished>();

  constructor(tokens: number) {
    this.#after = new Int32Array(tokens).fill(NONE);
    this.#successor = new Int32Array(tokens).fill(NONE);
  }

  /** hasSuccessor - whether a chain has been linked after `token` and not delivered or unlinked since. */
  hasSuccessor(token: number): boolean {
    return this.#successor[token] !== NONE;
  }

  /** link - `token` runs after `predecessor`, and is delivered after it. */
  link(token: number, predecessor: number): void {
    this.#after[token] = predecessor;
    this.#successor[predecessor] = token;
  }

  /** predecessorOf - the chain `token` still waits for (not yet delivered), or -1. */
  predecessorOf(token: number): number {
    return this.#after[token] as number;
  }

  /**
   * holdBack - keep a successor's completion that arrived before its predecessor's.
   * @returns true when it was kept (deliver it when {@link release} hands it back).
   */
  holdBack(finished: Finished): boolean {
    if (this.#after[finished.token] === NONE) return false;
    this.#held.set(finished.token, { ...finished });
    return true;
  }

  /**
   * release - `token`'s completion is being delivered (call before delivering: its listener may
   * reuse the token): its successor no longer waits for it.
   * @returns the successor's completion if it was held back (deliver it next), else null.
   */
  release(token: number): Finished | null {
    const successor = this.#successor[token] as number;
    if (successor === NONE) return null;
    this.#successor[token] = NONE;
    this.#after[successor] = NONE;
    const held = this.#held.get(successor);
    if (held === undefined) return null;
    this.#held.delete(successor);
    return held;
  }

  /** remove - `token` was taken back before it ran: a successor linked after it moves up to its predecessor. */
  remove(token: number): void {
    const predecessor = this.#after[token] as number;
    const successor = this.#successor[token] as number;
    this.#after[token] = NONE;
    this.#successor[token] = NONE;
    if (predecessor === NONE) return;
    this.#successor[predecessor] = successor;
    if (successor !== NONE) this.#after[successor] = predecessor;
  }
}
