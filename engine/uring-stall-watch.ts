/**
 * A safety net for the io_uring engine's event-loop wake-ups under DEFER_TASKRUN.
 *
 * The kernel signals the engine's eventfd when its list of completion work goes from empty to
 * non-empty, and only the submitter's io_uring_enter(GETEVENTS) runs that work. The engine goes
 * back to the event loop once an enter has answered the IORING_SQ_TASKRUN flag with no
 * completion (a flag the kernel can leave set over an empty list: see UringEngine.hasWork). On
 * a cold process reading uncached blocks while other processes dropped the page cache, that
 * rule lost completions: twice an eventfd wake-up was followed by an enter that posted nothing
 * with the flag still set, no wake-up came after it, and 64 reads sat in the ring for good (one
 * `bench` P2COLD run of aio.read hung, and about one cold run in 30 of a loop of aio.read at QD64;
 * an enter made 15 s later found three completions and the run went on). So when an enter leaves
 * the flag set, posts nothing and requests are still in flight, the engine pokes its own eventfd
 * a moment later (1 ms, doubling up to 64 ms while nothing moves): the event loop's watcher then
 * makes the enter again. While completions flow, no timer is armed; an idle engine arms none.
 */
import { allocNative, releaseNative, syscall, type NativeBlock } from './native/index.js';
import { NR } from './syscalls/nr.js';

/** The first delay, and the longest, between pokes while the ring looks stalled. */
const FIRST_DELAY_MS = 1;
const LONGEST_DELAY_MS = 64;

/** One engine's stall timer (JS thread only). */
export class RingStallWatch {
  readonly #stalled: () => boolean;
  readonly #eventfd: number;
  /** The 8-byte counter value 1 that a poke writes. */
  readonly #one: NativeBlock;
  #delayMs = FIRST_DELAY_MS;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #stopped = false;
  /** Pokes made so far (a diagnostic: how often the ring looked stalled). */
  pokes = 0;

  /**
   * @param stalled - whether the ring still looks stalled: requests in flight, the TASKRUN flag
   *   set, and the last enter for it posted nothing.
   * @param eventfd - the engine's eventfd, which the event loop watches (a poke writes 1 to it).
   */
  constructor(stalled: () => boolean, eventfd: number) {
    this.#stalled = stalled;
    this.#eventfd = eventfd;
    this.#one = allocNative(8, 8);
    new DataView(this.#one.buffer).setBigUint64(0, 1n, true);
  }

  /** suspect - an enter just answered the TASKRUN flag with nothing while requests are in flight. */
  suspect(): void {
    if (this.#timer !== null || this.#stopped) return;
    this.#timer = setTimeout(this.#fire, this.#delayMs);
    // The requests in flight keep the event loop alive (the eventfd watcher is referenced).
    this.#timer.unref();
  }

  /** progressed - an enter posted completions: the next suspicion starts from the shortest delay. */
  progressed(): void {
    this.#delayMs = FIRST_DELAY_MS;
  }

  /** stop - the engine is closing: no more pokes. */
  stop(): void {
    if (this.#stopped) return;
    this.#stopped = true;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    releaseNative(this.#one);
  }

  readonly #fire = (): void => {
    this.#timer = null;
    if (this.#stopped || !this.#stalled()) {
      this.#delayMs = FIRST_DELAY_MS;
      return;
    }
    this.pokes++;
    this.#delayMs = Math.min(this.#delayMs * 2, LONGEST_DELAY_MS);
    // The wake-up's enter calls suspect() again if it still finds nothing.
    syscall(NR.write, this.#eventfd, this.#one.address, 8);
  };
}
