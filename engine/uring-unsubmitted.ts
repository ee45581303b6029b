/**
 * The io_uring engine's list of SQEs written and not yet taken by the kernel, by token, in order:
 * if io_uring_enter fails for good, their atoms never ran and their chains go to cachemiss
 * threads. A typed list, so that a flush allocates nothing.
 */

/** Tokens in SQ order (-1 for the engine's own requests). */
export class UnsubmittedTokens {
  #tokens: Int32Array;
  #count = 0;

  /** @param capacity - the SQ's entries (the list grows past it only in the case note describes). */
  constructor(capacity: number) {
    this.#tokens = new Int32Array(capacity);
  }

  /** The SQE of `token` (-1: the engine's own) is written: it goes with the next enter. */
  note(token: number): void {
    if (this.#count === this.#tokens.length) {
      // Only when the kernel left SQEs of earlier enters untaken (short of memory) and more were
      // written since: keep them all, in order.
      const grown = new Int32Array(this.#tokens.length * 2);
      grown.set(this.#tokens);
      this.#tokens = grown;
    }
    this.#tokens[this.#count++] = token;
  }

  /** The kernel took the first `count` SQEs not yet taken. */
  submitted(count: number): void {
    if (count >= this.#count) {
      this.#count = 0;
      return;
    }
    this.#tokens.copyWithin(0, count, this.#count);
    this.#count -= count;
  }

  /** takeAll - every token still listed, in order; the list is then empty. */
  takeAll(): Int32Array {
    const tokens = this.#tokens.slice(0, this.#count);
    this.#count = 0;
    return tokens;
  }
}
