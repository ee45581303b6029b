/**
 * The timer of the cachemiss pool's stall check (split from pool-threads.ts, which runs the check).
 *
 * The active bound (the governor's: how many threads run chains at once) also bounds how many
 * threads the pool starts. But it is set from chains that completed, and chains that block for
 * good — reads of sockets or pipes that chains queued behind them would write — complete none:
 * with every allowed thread blocked in one, the chains behind them would wait for ever. So while
 * chains wait, the pool looks again after a while: if no thread has taken a chain since, and none
 * is loading or idle, it starts one more (up to maxThreads), which takes a chain past the bound
 * (the queue lets a thread do so after as long without progress). Checked with a timer because
 * nothing else may call the pool again: the program is waiting for those chains. A synchronous
 * wait blocks the thread the timer would fire on, so it runs the check itself when due (see
 * {@link StallTimer.dueAt}).
 */

/** One pool's stall-check timer: armed with the count of chains taken, it calls the check with it when due. */
export class StallTimer {
  readonly #delayMs: number;
  readonly #check: (takenBefore: number) => void;
  #timer: NodeJS.Timeout | null = null;
  #dueAt = Number.POSITIVE_INFINITY;
  #taken = 0;

  /**
   * @param delayMs - how long after arming the check runs.
   * @param check - the check; it gets the count of chains taken when the timer was armed.
   */
  constructor(delayMs: number, check: (takenBefore: number) => void) {
    this.#delayMs = delayMs;
    this.#check = check;
  }

  /** Whether a check is armed. */
  get armed(): boolean {
    return this.#timer !== null;
  }

  /**
   * When the armed check is due, as a performance.now() time; Infinity when none is armed. A
   * synchronous wait (Engine.waitUntil: runChainSync, aio_suspend, lio_listio LIO_WAIT) blocks
   * the event loop, so the timer cannot fire: the wait sleeps no later than this and then calls
   * {@link runIfDue}.
   */
  get dueAt(): number {
    return this.#dueAt;
  }

  /** arm - run the check after the delay, against `taken` chains taken by then. */
  arm(taken: number): void {
    this.#taken = taken;
    this.#dueAt = performance.now() + this.#delayMs;
    this.#timer = setTimeout(() => this.#fire(), this.#delayMs);
    // The engine's eventfd watcher keeps the process alive while chains are in flight; this must not.
    this.#timer.unref();
  }

  /** runIfDue - run the armed check now if it is due (for a synchronous wait). */
  runIfDue(): void {
    if (this.#timer === null || performance.now() < this.#dueAt) return;
    clearTimeout(this.#timer);
    this.#fire();
  }

  #fire(): void {
    const taken = this.#taken;
    this.#timer = null;
    this.#dueAt = Number.POSITIVE_INFINITY;
    this.#check(taken);
  }
}
