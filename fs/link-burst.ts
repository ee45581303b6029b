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

/** One engine's batches: the one filling, how many are on their way, the idle ones. */
class EngineBatches implements BatchOwner {
  readonly #engine: Engine;
  readonly inline: LinkInline;
  filling: LinkBatch | null = null;
  inFlight = 0;
  readonly #idle: LinkBatch[] = [];
  #made = 0;
  #closed = false;
  /** The batch submitted last while it is on its way, and its token: the next one runs after it. */
  #last: LinkBatch | null = null;
  #lastToken = -1;
  /** Set when making a batch failed for good (no fds, no /proc): every call inline. */
  broken = false;
  /** Calls answered through batches, and batches submitted (for tests and diagnostics). */
  calls = 0;
  batches = 0;

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
      this.#idle.push(batch);
      return;
    }
    // batchDone (from the completion, or at once when the submission is refused) takes it back.
    this.inFlight++;
    this.batches++;
    this.calls += batch.count;
    const token = batch.submit(this.#lastToken);
    if (token >= 0) {
      this.#lastToken = token;
      this.#last = batch;
    }
  }

  /** A submitted batch has answered all its calls. */
  batchDone(batch: LinkBatch): void {
    this.inFlight--;
    if (batch === this.#last) {
      this.#last = null;
      this.#lastToken = -1;
    }
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
  /** Engines with a batch filling this turn (submitted when the turn ends). */
  readonly #filling: EngineBatches[] = [];
  readonly #endTurn = (): void => {
    this.#callsThisTurn = 0;
    this.#turnArmed = false;
    for (const batches of this.#filling.splice(0)) batches.flush();
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
    if (calls % PUMP_EVERY === 0 && batches.inFlight > 0) engine.pump();
    let batch = batches.filling;
    if (batch === null) {
      if (batches.inFlight >= BATCHES_IN_FLIGHT || !directCallsAllowed(engine, BATCH_SYSCALLS)) return null;
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

  /** Calls answered through batches on `engine`, and batches submitted. */
  stats(engine: Engine): { calls: number; batches: number } {
    const batches = this.#batchesOf.get(engine);
    return { calls: batches?.calls ?? 0, batches: batches?.batches ?? 0 };
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

/**
 * linkBatchStats - how many realpath (or readlink) calls on `engine` were answered through
 * batches, and in how many batches (counted at submission).
 *
 * @internal for tests and diagnostics.
 */
export function linkBatchStats(engine: Engine, kind: BatchKind = 'realpath'): { calls: number; batches: number } {
  return (kind === 'readlink' ? readlinks : realpaths).stats(engine);
}
