/**
 * realpath and readlink in a burst: batches of calls as one chain each on a cachemiss thread, on
 * the other core, while the calling thread serves the rest of the burst inline.
 *
 * A cached realpath served inline is three syscalls on the calling thread (openat2 following the
 * links, readlinkat of the fd's /proc name, close): about 9 µs on the 2-core EPYC VM, 81 % of it
 * in the kernel. Node's calling thread spends about 5 µs per call and its thread pool does
 * glibc's realpath(3) on the other core, so on a quiet machine Node's wall time is its pool's and
 * ours was our calling thread's: 0.90× of Node (docs/fs.md, "Session 13: fs13"). Here, from the
 * {@link BATCH_MIN}th realpath of one turn of the event loop, a call joins a batch while fewer
 * than {@link BATCHES_IN_FLIGHT} batches are on their way; a batch of {@link BATCH_CALLS} paths
 * (or fewer, at the end of the turn) is one chain, submitted off the ring with SYSLET_ASYNC on
 * its first atom, so that a cachemiss thread runs all of it: one hand-off and one completion per
 * batch. A batch submitted while another is on its way is linked after it (Engine.submitAfter),
 * so one thread runs them one after another: batches on two threads at once contend on the fd
 * table's lock (21 µs of thread CPU per call with four threads, against 12–14 µs with one). The calling thread only writes the path and, when the batch completes, decodes the name.
 * Every {@link PUMP_EVERY} calls of a burst with a batch on its way the engine is pumped, so a
 * finished batch is delivered (and its slot free again) during a burst made in one synchronous
 * loop.
 *
 * readlink is the same case with three inline syscalls (openat2 O_PATH|O_NOFOLLOW, readlinkat on
 * the fd, close) against Node's one readlink on its pool: its bursts are batched the same way,
 * counted apart from realpath's.
 *
 * On the io_uring engine a burst's opens go to the ring instead (fs/link-ring.ts), and a call the
 * ring does not take now is made inline: there batches serve only an engine whose ring cannot
 * (ring opens off, no /proc fd directory for realpath).
 *
 * The chain of a batch, and how its answers become each call's: fs/link-batch.ts. Only
 * calls on an engine whose policy allows every call of a batch are batched; on a narrowed
 * engine every call stays on the inline path (its atoms under the policy).
 */
import type { Engine } from '../engine/engine.js';
import type { FastPath } from './args.js';
import { directCallsAllowed, outOfFds } from './direct.js';
import { BATCH_CALLS, BATCH_SYSCALLS, LinkBatch, type BatchKind, type BatchOwner, type LinkInline } from './link-batch.js';

/** Calls of one kind made in one turn before one joins a batch: a lone call, or a few, stays inline. */
export const BATCH_MIN = 4;
/** Batches on their way at once: one running on a cachemiss thread, the others linked behind it on that thread. */
export const BATCHES_IN_FLIGHT = 3;
/** Calls of a burst between two engine pumps while a batch is on its way. */
export const PUMP_EVERY = 16;
/** What a batched call is expected to take on its thread (ms) until batches have come back to say. */
export const FIRST_ESTIMATE_MS = 0.03;
/** A batch is late when its thread has had it this many times longer than its calls are expected to take... */
export const LATE_FACTOR = 4;
/** ...plus this (ms): a thread's wake-up and the pump that delivers its completion. */
export const LATE_SLACK_MS = 5;

/** `performance` read once: by name it is a lazy accessor on globalThis. */
const clock = performance;

/** The rule in force (see {@link setLateBatchRule}). */
let lateFactor = LATE_FACTOR;
let lateSlackMs = LATE_SLACK_MS;

/**
 * setLateBatchRule - when a batch counts as late: once its thread has had it `factor` times
 * longer than its calls are expected to take, plus `slackMs`. `Infinity`: never (every batch is
 * waited for); 0 and 0: at the first look. The defaults are {@link LATE_FACTOR} and
 * {@link LATE_SLACK_MS}.
 *
 * @internal for tests: the rule reads the clock, and what a test checks must not depend on how
 *   soon a cachemiss thread starts on a loaded machine.
 */
export function setLateBatchRule(factor: number = LATE_FACTOR, slackMs: number = LATE_SLACK_MS): void {
  lateFactor = factor;
  lateSlackMs = slackMs;
}

/**
 * One engine's batches: the one filling, those on their way (oldest first), the idle ones, and
 * how long a batched call has been taking on its thread.
 *
 * Batches that come back slowly are worse than no batches: their calls wait on a thread that
 * does not get a core (other processes hold both, or the thread is starting) while the calling
 * thread, which would have answered them in about 10 µs each, has nothing left to do — the
 * tail of a burst then was the last batch's return, 70–250 ms after the burst's last call at
 * load 3 (docs/fs.md, "Session 15: fs15"). So when the oldest batch on its way has been out
 * {@link LATE_FACTOR} times longer than its calls should take (by the time batched calls have
 * been taking, per call, as batches came back), the rest of the turn's calls stay inline, the
 * batches waiting behind it that no thread has started are taken back (Engine.withdraw) and
 * answered inline, and until a batch comes back in time only one is sent at a time.
 */
class EngineBatches implements BatchOwner {
  readonly #engine: Engine;
  readonly inline: LinkInline;
  filling: LinkBatch | null = null;
  /** Batches on their way, oldest first: the first runs (or waits for a thread), the others are linked behind it. */
  readonly #queue: LinkBatch[] = [];
  readonly #idle: LinkBatch[] = [];
  #made = 0;
  #closed = false;
  /** The batch submitted last while it is on its way: the next one runs after it. */
  #last: LinkBatch | null = null;
  /** Set when making a batch failed for good (no fds, no /proc): every call inline. */
  broken = false;
  /** Batches allowed on their way: {@link BATCHES_IN_FLIGHT}, or 1 after a late batch until one comes back in time. */
  limit = BATCHES_IN_FLIGHT;
  /** The turn (Burst's count) in which a batch was found late: that turn's later calls stay inline. */
  lateTurn = -1;
  /** How long a batched call has been taking on its thread (ms, a moving average). */
  #perCallMs = FIRST_ESTIMATE_MS;
  /** Calls in batches submitted, batches submitted, calls taken back or not waited for and answered inline (for tests and diagnostics). */
  calls = 0;
  batches = 0;
  withdrawn = 0;
  abandoned = 0;

  readonly #kind: BatchKind;

  constructor(engine: Engine, kind: BatchKind, inline: LinkInline) {
    this.#engine = engine;
    this.#kind = kind;
    this.inline = inline;
    engine.onClose(() => {
      this.#closed = true;
      for (const batch of this.#idle.splice(0)) batch.dispose();
    });
  }

  /** Batches on their way. */
  get inFlight(): number {
    return this.#queue.length;
  }

  /** A batch to fill: an idle one, or a new one (null when its fds cannot be had). */
  take(): LinkBatch | null {
    const idle = this.#idle.pop();
    if (idle !== undefined) return idle;
    if (this.#made >= BATCHES_IN_FLIGHT + 1) return null;
    const made = LinkBatch.make(this.#engine, this, this.#kind);
    if (typeof made === 'number') {
      // Out of fds: try again later; anything else (no /proc): never.
      if (!outOfFds(made)) this.broken = true;
      return null;
    }
    this.#made++;
    return made;
  }

  /** Submit the filling batch (an empty one goes back to the idle list). */
  flush(): void {
    const batch = this.filling;
    if (batch === null) return;
    this.filling = null;
    if (batch.count === 0) {
      this.#putBack(batch);
      return;
    }
    const queue = this.#queue;
    batch.carried = batch.count;
    batch.since = clock.now();
    batch.token = -1;
    // batchDone (from the completion, or at once when the submission is refused) takes it back.
    queue.push(batch);
    this.batches++;
    this.calls += batch.count;
    const last = this.#last;
    const token = batch.submit(last === null ? -1 : last.token);
    if (token >= 0) {
      batch.token = token;
      this.#last = batch;
    }
  }

  /** The filling batch at the end of its turn: submitted, or answered inline when batches are late. */
  endTurn(turn: number): void {
    const batch = this.filling;
    if (batch === null) return;
    if (this.lateTurn === turn || this.check(turn)) {
      this.filling = null;
      batch.answerInline();
      this.#putBack(batch);
      return;
    }
    this.flush();
  }

  /**
   * check - whether the oldest batch on its way is late; if so, mark `turn` late, send one batch
   * at a time from now on, and answer inline the batches waiting behind it that no thread started.
   */
  check(turn: number): boolean {
    const head = this.#queue[0];
    if (head === undefined || clock.now() - head.since <= lateFactor * head.carried * this.#perCallMs + lateSlackMs) return false;
    this.lateTurn = turn;
    this.limit = 1;
    const queue = this.#queue;
    // From the newest back: each taken back is the last of the links, so nothing moves up behind it.
    while (queue.length > 1) {
      const batch = queue[queue.length - 1] as LinkBatch;
      if (!batch.withdraw()) break;
      queue.pop();
      this.withdrawn += batch.count;
      this.#last = queue[queue.length - 1] as LinkBatch;
      batch.token = -1;
      batch.answerInline();
      this.#putBack(batch);
    }
    // The late one itself (its thread still starting, or without a core): its calls are answered
    // inline now, and its chain is cancelled so that the thread does not make them again (it stops
    // before its next atom; its completion then closes what it left open). One that another batch
    // still runs after is left to run: its chain only reads, and its completion only tidies up.
    const late = queue[0] as LinkBatch;
    const pending = late.pending();
    if (pending === 0) return true;
    this.abandoned += pending;
    late.answerInline();
    if (queue.length === 1 && late.token >= 0) this.#engine.cancelChain(late.token, late);
    return true;
  }

  /** A submitted batch has answered all its calls. */
  batchDone(batch: LinkBatch): void {
    const queue = this.#queue;
    const at = queue.indexOf(batch);
    if (at >= 0) queue.splice(at, 1);
    if (at === 0 && batch.carried > 0) {
      const now = clock.now();
      const perCall = (now - batch.since) / batch.carried;
      const expected = this.#perCallMs;
      if (perCall <= lateFactor * expected) this.limit = BATCHES_IN_FLIGHT;
      // A moving average, each sample at most LATE_FACTOR times the estimate: a thread that did
      // not get a core for a while must not make the next late batch look on time.
      this.#perCallMs = expected + (Math.min(perCall, LATE_FACTOR * expected) - expected) / 4;
      const next = queue[0];
      if (next !== undefined) next.since = now;
    }
    batch.token = -1;
    if (batch === this.#last) this.#last = null;
    this.#putBack(batch);
  }

  /** A batch no thread holds goes back to the idle list, or is freed once the engine has closed (its idle ones were freed then). */
  #putBack(batch: LinkBatch): void {
    if (this.#closed) {
      this.#made--;
      batch.dispose();
    } else {
      this.#idle.push(batch);
    }
  }
}

const SETTLED = Promise.resolve();

/** One kind of call's bursts: its calls counted per turn, and its batches per engine. */
class Burst {
  readonly #kind: BatchKind;
  readonly #batchesOf = new WeakMap<Engine, EngineBatches>();
  #lastEngine: Engine | null = null;
  #lastBatches: EngineBatches | null = null;
  #callsThisTurn = 0;
  #turnArmed = false;
  /** Turns of the event loop that made calls of this kind: the current one's number. */
  #turn = 0;
  /** Engines with a batch filling this turn (submitted when the turn ends). */
  readonly #filling: EngineBatches[] = [];
  readonly #endTurn = (): void => {
    this.#callsThisTurn = 0;
    this.#turnArmed = false;
    const turn = this.#turn++;
    for (const batches of this.#filling.splice(0)) batches.endTurn(turn);
  };

  constructor(kind: BatchKind) {
    this.#kind = kind;
  }

  /** See {@link realpathInBatch}. */
  call(engine: Engine, path: FastPath, raw: unknown, options: unknown, encoding: BufferEncoding | 'buffer', inline: LinkInline): Promise<string | Buffer> | null {
    if (!this.#turnArmed) {
      this.#turnArmed = true;
      void SETTLED.then(this.#endTurn);
    }
    const calls = ++this.#callsThisTurn;
    if (calls < BATCH_MIN) return null;
    const batches = this.#batchesFor(engine, inline);
    if (batches.broken) return null;
    const turn = this.#turn;
    if (calls % PUMP_EVERY === 0 && batches.inFlight > 0) {
      engine.pump();
      batches.check(turn);
    }
    if (batches.lateTurn === turn) return null;
    let batch = batches.filling;
    if (batch === null) {
      // Before another batch starts, a look at the ones on their way (as at each pump).
      if (batches.inFlight > 0 && batches.check(turn)) return null;
      if (batches.inFlight >= batches.limit || !directCallsAllowed(engine, BATCH_SYSCALLS)) return null;
      batch = batches.take();
      if (batch === null) return null;
      batches.filling = batch;
      this.#filling.push(batches);
    }
    const promise = batch.add(path, raw, options, encoding);
    if (batch.count === BATCH_CALLS) {
      batches.flush();
      const at = this.#filling.indexOf(batches);
      if (at >= 0) this.#filling.splice(at, 1);
    }
    return promise;
  }

  /** Calls in batches submitted on `engine`, batches submitted, and calls taken back and answered inline. */
  stats(engine: Engine): LinkBatchStats {
    const batches = this.#batchesOf.get(engine);
    return { calls: batches?.calls ?? 0, batches: batches?.batches ?? 0, withdrawn: batches?.withdrawn ?? 0, abandoned: batches?.abandoned ?? 0 };
  }

  #batchesFor(engine: Engine, inline: LinkInline): EngineBatches {
    if (engine === this.#lastEngine) return this.#lastBatches as EngineBatches;
    let batches = this.#batchesOf.get(engine);
    if (batches === undefined) {
      batches = new EngineBatches(engine, this.#kind, inline);
      this.#batchesOf.set(engine, batches);
      // The last engine is held strongly: let a closed one go.
      engine.onClose(() => {
        if (this.#lastEngine === engine) {
          this.#lastEngine = null;
          this.#lastBatches = null;
        }
      });
    }
    this.#lastEngine = engine;
    this.#lastBatches = batches;
    return batches;
  }
}

const realpaths = new Burst('realpath');
const readlinks = new Burst('readlink');

/**
 * realpathInBatch - count this realpath in its turn and, in a burst, make it part of a batch.
 *
 * @param inline - the inline realpath, for calls a batch cannot answer itself.
 * @returns the call's Promise, or null: make it inline (not a burst, the batches are all on
 *   their way, the policy does not allow a batch's calls, the path does not fit).
 */
export function realpathInBatch(engine: Engine, path: FastPath, raw: unknown, options: unknown, encoding: BufferEncoding | 'buffer', inline: LinkInline): Promise<string | Buffer> | null {
  return realpaths.call(engine, path, raw, options, encoding, inline);
}

/** readlinkInBatch - {@link realpathInBatch} for readlink (its own count per turn, its own batches). */
export function readlinkInBatch(engine: Engine, path: FastPath, raw: unknown, options: unknown, encoding: BufferEncoding | 'buffer', inline: LinkInline): Promise<string | Buffer> | null {
  return readlinks.call(engine, path, raw, options, encoding, inline);
}

/** What {@link linkBatchStats} counts. */
export interface LinkBatchStats {
  /** Calls in the batches submitted (counted at submission). */
  readonly calls: number;
  /** Batches submitted. */
  readonly batches: number;
  /** Of those calls, the ones taken back before a thread started their batch and answered inline (late batches). */
  readonly withdrawn: number;
  /** Of those calls, the ones of a late batch on its way answered inline without waiting for it. */
  readonly abandoned: number;
}

/**
 * linkBatchStats - how many realpath (or readlink) calls on `engine` were given to batches, in
 * how many batches (counted at submission), and how many of them were taken back and answered
 * inline because the batch ahead of theirs was late.
 *
 * @internal for tests and diagnostics.
 */
export function linkBatchStats(engine: Engine, kind: BatchKind = 'realpath'): LinkBatchStats {
  return (kind === 'readlink' ? readlinks : realpaths).stats(engine);
}
