/**
 * The io_uring engine's side of io_uring_enter: when the SQEs written go to the kernel, when an
 * enter also runs the completion work (GETEVENTS), and whether completions may be waiting.
 *
 * SQEs are written at once (uring-engine.ts) and submitted in batches: at the end of the JS turn
 * that wrote the first one (a microtask), before anything waits or looks for completions, or as
 * soon as {@link EAGER_SUBMIT_SQES} wait. Under DEFER_TASKRUN only the submitter's enter turns the
 * kernel's completion work into CQEs, and the IORING_SQ_TASKRUN flag says some is queued; the
 * flag can be left set over an empty list, which {@link RingSubmitter.hasWork} must not loop on.
 */
import { EAGAIN, EBUSY, EINTR, IORING_SQ_CQ_OVERFLOW, IORING_SQ_TASKRUN } from './native/index.js';
import type { Ring } from './uring-ring.js';
import { UnsubmittedTokens } from './uring-unsubmitted.js';
import { RingStallWatch } from './uring-stall-watch.js';

/** End-of-turn flushes react to it: queueMicrotask makes an AsyncResource per call (4.0–4.5 µs vs 1.6–1.7). */
const SETTLED = Promise.resolve();
/**
 * SQEs written and not yet submitted at which {@link RingSubmitter.noteWritten} submits them at
 * once instead of at the end of the turn. A program that resubmits as it scans its completions
 * (C's aio_suspend + aio_error loop over 64 aiocbs) spends 3–10 µs of JavaScript per request: held
 * to the end of the scan, its first SQEs waited 200–400 µs while the device ran dry (P2, session
 * 13: the calling thread slept 100–130 times per 16,384 reads, 20–40 with this). One more enter
 * per 16 requests costs about 0.1 µs per request.
 */
const EAGER_SUBMIT_SQES = 16;

/** What the submitter needs from its engine. */
export interface SubmitterPort {
  /** Requests written or submitted whose completion has not been processed. */
  inRing(): number;
  /** Process the CQEs waiting now (the kernel is short of room for completions). */
  reap(): void;
  /**
   * io_uring_enter failed for good: `tokens` (as noted with {@link RingSubmitter.note}) were never
   * taken by the kernel; the SQ no longer holds them.
   */
  refuse(tokens: Int32Array): void;
}

/** The submission side of one ring (JS thread only). */
export class RingSubmitter {
  readonly #ring: Ring;
  readonly #port: SubmitterPort;
  /** Whether enters must ask for completion work (DEFER_TASKRUN). */
  readonly #getEvents: boolean;
  /** Tokens of SQEs written and not yet taken by the kernel (handed to threads if it refuses them). */
  readonly #unsubmitted: UnsubmittedTokens;
  /** The last enter for a TASKRUN flag posted no completion (see {@link hasWork}). */
  #taskrunAnswered = false;
  #flushQueued = false;
  readonly #flushTask = (): void => {
    this.#flushQueued = false;
    this.flush();
  };
  /** The ring's memory is unmapped: nothing may touch its views again (they would fault). */
  #released = false;
  /** Pokes the eventfd when an enter leaves the TASKRUN flag set with nothing (uring-stall-watch.ts). */
  readonly #stallWatch: RingStallWatch;

  constructor(ring: Ring, eventfd: number, port: SubmitterPort) {
    this.#ring = ring;
    this.#port = port;
    this.#getEvents = ring.needsGetEvents;
    this.#unsubmitted = new UnsubmittedTokens(ring.sqEntries);
    this.#stallWatch = new RingStallWatch(() => !this.#released && port.inRing() > 0 && this.#taskrunAnswered && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0, eventfd);
  }

  /** Whether the ring was released ({@link release}): its views must not be touched. */
  get released(): boolean {
    return this.#released;
  }

  /**
   * beforeWrite - call before writing a chain's SQE: makes room in the SQ, or submits a long
   * run at once ({@link EAGER_SUBMIT_SQES}) without processing any completion.
   */
  beforeWrite(): void {
    const ring = this.#ring;
    if (ring.sqSpace() === 0) this.flush();
    else if (ring.unsubmitted >= EAGER_SUBMIT_SQES) this.#submitEarly();
  }

  /**
   * noteWritten - an SQE for `token` was written (negative for requests that are not a chain's;
   * see UnsubmittedTokens); it goes to the kernel at the end of this JS turn at the latest.
   */
  noteWritten(token: number): void {
    this.#unsubmitted.note(token);
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    void SETTLED.then(this.#flushTask);
  }

  /**
   * Whether completions may be waiting (processed by the next pump): the callers loop on it
   * before they sleep. A TASKRUN flag that an enter has just answered with no completion is taken
   * for stale: the kernel can leave it set with nothing queued, and looping on it spun the wake-up
   * callback for ever (CI clone of 15e4049: `bench --quick` hung in io_uring_enter(0, 0,
   * GETEVENTS)). Work queued after that enter signals the eventfd; work the kernel still held is
   * what the stall watch (uring-stall-watch.ts) comes back for.
   */
  hasWork(): boolean {
    if (this.#released) return false;
    return this.#ring.unsubmitted > 0 || this.completionsReady();
  }

  /**
   * completionsReady - whether CQEs wait, or completion work the next enter would turn into CQEs
   * (the TASKRUN flag, as in {@link hasWork}); SQEs not yet submitted do not count: the end of
   * this turn submits them anyway. For calls that deliver completions between turns
   * (event-loop-turns.ts), which need not run a pump per call only to submit.
   */
  completionsReady(): boolean {
    if (this.#released) return false;
    const ring = this.#ring;
    return ring.cqReady() > 0 || (this.#getEvents && !this.#taskrunAnswered && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0);
  }

  /**
   * flush - submit the SQEs written so far; under DEFER_TASKRUN also run the completion work the
   * kernel queued (GETEVENTS), so the same syscall makes completions visible.
   */
  flush(): void {
    if (this.#released) return;
    const ring = this.#ring;
    const sqFlags = ring.sqFlags();
    const getEvents = (this.#getEvents && (sqFlags & IORING_SQ_TASKRUN) !== 0) || (sqFlags & IORING_SQ_CQ_OVERFLOW) !== 0;
    if (ring.unsubmitted === 0 && !getEvents) return;
    this.#taskrunAnswered = false;
    for (let attempt = 0; ; attempt++) {
      const submitting = ring.unsubmitted;
      const result = ring.submit(0, getEvents);
      if (result >= 0) {
        // The kernel consumed `result` SQEs (all of them, unless it ran short of memory).
        this.#unsubmitted.submitted(Math.min(result, submitting));
        if (ring.unsubmitted === 0 || result === 0 && attempt > 8) break;
        continue;
      }
      if (result === -EINTR) continue;
      if ((result === -EAGAIN || result === -EBUSY) && attempt < 64) {
        // The kernel is short of room for completions: process some, then try again.
        this.#port.reap();
        continue;
      }
      ring.discardUnsubmitted();
      this.#port.refuse(this.#unsubmitted.takeAll());
      return;
    }
    // The enter ran whatever completion work there was; a flag still set over an empty CQ is stale
    // (almost always: with requests in flight the stall watch makes sure the loop comes back).
    if (getEvents && ring.cqReady() === 0 && (ring.sqFlags() & IORING_SQ_TASKRUN) !== 0) {
      this.#taskrunAnswered = true;
      if (this.#port.inRing() > 0) this.#stallWatch.suspect();
    } else if (getEvents) this.#stallWatch.progressed();
  }

  /**
   * Submits the SQEs written so far, and nothing else: no completion work (GETEVENTS), no reaping,
   * no refusal. It runs before a chain's SQE is written, where processing a completion could
   * resume a chain that prepares another request over the pending one. Whatever the kernel does
   * not take now (EINTR, EAGAIN, a refusal) stays for the next {@link flush}, which the end of the
   * turn or any wait makes.
   */
  #submitEarly(): void {
    if (this.#released) return;
    const ring = this.#ring;
    const submitting = ring.unsubmitted;
    const result = ring.submit(0, false);
    if (result > 0) this.#unsubmitted.submitted(Math.min(result, submitting));
  }

  /**
   * waitForCompletion - block in io_uring_enter(GETEVENTS, min_complete 1) until a completion is
   * ready, after submitting what is written. Under DEFER_TASKRUN the kernel runs the completion
   * work inside this call, so one syscall does what a sleep on the eventfd does in three (ppoll,
   * the eventfd read, the enter that runs the work). A signal interrupts it (EINTR), as it does
   * ppoll. The caller has checked that requests are in flight.
   * @returns true when it waited, false when the kernel refused the wait (the caller then sleeps
   *   on the eventfd).
   */
  waitForCompletion(): boolean {
    if (this.#released) return false;
    // The SQEs written since the last flush go in the same call: the kernel submits them, then
    // waits (it skips the wait when it took fewer than given, and the caller comes round again).
    const ring = this.#ring;
    const submitting = ring.unsubmitted;
    this.#taskrunAnswered = false;
    const result = ring.submit(1, true);
    if (result >= 0) {
      this.#unsubmitted.submitted(Math.min(result, submitting));
      return true;
    }
    // A signal ended the wait (nothing was submitted then: the kernel reports a submission's
    // count before a wait's error).
    if (result === -EINTR) return true;
    // Refused (EAGAIN, EBUSY: short of room; or for good): flush deals with it as for any
    // submission, and the caller sleeps on the eventfd.
    this.flush();
    return false;
  }

  /** stopWatching - the engine is closing: no more stall pokes. */
  stopWatching(): void {
    this.#stallWatch.stop();
  }

  /** release - the ring is about to be unmapped: from now on nothing touches it. */
  release(): void {
    this.#stallWatch.stop();
    this.#released = true;
  }
}
