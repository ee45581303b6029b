/**
 * The shared-memory queue of chains waiting for a cachemiss thread. Handing a chain off is a store
 * to a SharedArrayBuffer and an Atomics.notify — no postMessage, no copying: a chain is fully
 * described by the address of the atom to continue from, because everything else it needs is in
 * memory both threads can see. One producer (the calling thread), many consumers (cachemiss
 * threads). The way back is completion-queue.ts; what each thread publishes, worker-state.ts.
 */

import { WORKER_STATE } from './worker-state.js';

const HEAD = 0;
const TAIL = 1;
const SHUTDOWN = 2;
const IDLE = 3;
const LIVE = 4;
/** 1 while the calling thread may sleep without having seen every completion: wake it. */
const NEEDS_WAKE = 5;
/** Cachemiss threads running a chain (holding an active slot), and how many may. */
const ACTIVE = 6;
const MAX_ACTIVE = 7;
/**
 * 1 while a cachemiss thread polls the empty queue for the next chain (at most one does): the
 * producer then pushes without a notify, and that thread takes the chain without a sleep.
 */
const SPINNING = 8;
const CONTROL_INTS = 9;
/** The weight of the latest wait in a consumer's average wait for a chain. */
const GAP_WEIGHT = 1 / 8;
/**
 * A poll of the empty queue that sees no chain costs its whole length in CPU (SPIN_MS in
 * cachemiss-worker.ts, 50 µs) for nothing; one that sees a chain saves the consumer a futex sleep
 * and wake-up and the producer a notify (a few µs each, and the wake's latency). A consumer polls
 * only while at least this share of its recent polls (a moving average, weight 1/8) saw a chain.
 * Not only the average wait: on a loaded machine the poller and the producer share one CPU, the
 * poll delays the very chain it waits for, the producer is preempted (QD1 FileHandle.write on
 * 2 vCPUs at load 5: 0.6 involuntary context switches a write, 26 µs of the poller's CPU a write)
 * and the average wait swings across the poll's length, turning polls on and off by turns.
 */
const SPIN_HIT_SHARE = 0.75;
const SPIN_HIT_WEIGHT = 1 / 8;
/** While polls are off, every this many waits for a chain polls once anyway, to notice the producer got fast again. */
const SPIN_PROBE_EVERY = 32;
/**
 * How long the threads holding every active slot may take no chain from a non-empty queue before
 * a waiting thread runs one anyway. The governor caps the threads that run chains at the core
 * count when chains are short and CPU-bound, and a thread keeps its slot from chain to chain; but
 * a long chain that waits for another one (a loop polling a counter the other chain moves) would
 * then hold its slot until the other ran — never, with every slot held so. The cap is for short
 * chains: when the holders stop taking chains, it no longer applies.
 */
const SLOTS_STUCK_MS = 20;
/** `performance` read once: by name it is a lazy accessor on globalThis, a global load IC per use. */
const clock = performance;

/** The buffers of a submission queue, as sent to a cachemiss thread. */
export interface SubmissionQueueBuffers {
  readonly control: SharedArrayBuffer;
  readonly atoms: SharedArrayBuffer;
  readonly meta: SharedArrayBuffer;
  readonly capacity: number;
}

/**
 * Where one consumer (a cachemiss thread) records its own share of the shared counters — whether
 * it is counted live, waiting idle, holding an active slot — in its WORKER_STATE slot, so that
 * the pool can take that share back when the thread ends without doing it itself (terminated,
 * crashed). Each flag is stored right next to the counter change it mirrors, with no function
 * call between them: V8 terminates a thread only at a function entry, a loop back-edge or inside
 * Atomics.wait, so a thread never dies between a counter change and its flag.
 */
export interface ConsumerLedger {
  /** The pool's WORKER_STATE array. */
  readonly array: Int32Array;
  /** This consumer's slot index × WORKER_STATE.stride. */
  readonly base: number;
}

/** A job as a consumer sees it. Reused: read it before the next pop. */
export interface Job {
  atom: number;
  token: number;
  atomsBefore: number;
}

/** Chains waiting for a cachemiss thread. */
export class SubmissionQueue {
  readonly control: Int32Array;
  readonly #atoms: Float64Array;
  readonly #meta: Int32Array;
  readonly capacity: number;
  /**
   * (A consumer's own) moving average of how long it waited for a chain when it found the queue
   * empty, in ms, polling or asleep: it polls only while that is short (see {@link spin}).
   */
  #gapMs = 0;
  /** (A consumer's own) moving average of how many of its polls saw a chain (see SPIN_HIT_SHARE). */
  #spinHits = 1;
  /** (A consumer's own) waits for a chain since it last polled while polls were off. */
  #sinceProbe = 0;

  constructor(buffers?: SubmissionQueueBuffers, capacity = 65536) {
    const cap = buffers?.capacity ?? capacity;
    this.capacity = cap;
    this.control = new Int32Array(buffers?.control ?? new SharedArrayBuffer(CONTROL_INTS * 4));
    if (buffers === undefined) {
      Atomics.store(this.control, NEEDS_WAKE, 1);
      Atomics.store(this.control, MAX_ACTIVE, 1 << 30);
    }
    this.#atoms = new Float64Array(buffers?.atoms ?? new SharedArrayBuffer(cap * 8));
    this.#meta = new Int32Array(buffers?.meta ?? new SharedArrayBuffer(cap * 8));
  }

  get buffers(): SubmissionQueueBuffers {
    return { control: this.control.buffer as SharedArrayBuffer, atoms: this.#atoms.buffer as SharedArrayBuffer, meta: this.#meta.buffer as SharedArrayBuffer, capacity: this.capacity };
  }

  /** Chains taken from the queue so far (a running count: it moves while threads make progress). */
  get taken(): number {
    return Atomics.load(this.control, TAIL);
  }

  /** Chains queued and not yet taken. */
  get length(): number {
    return Atomics.load(this.control, HEAD) - Atomics.load(this.control, TAIL);
  }

  /** Cachemiss threads waiting for work. */
  get idle(): number {
    return Atomics.load(this.control, IDLE);
  }

  /** Cachemiss threads alive (started and not exited). */
  get live(): number {
    return Atomics.load(this.control, LIVE);
  }

  get shuttingDown(): boolean {
    return Atomics.load(this.control, SHUTDOWN) !== 0;
  }

  /** push - queue a chain (producer only). @returns false when the queue is full. */
  push(atom: number, token: number, atomsBefore: number): boolean {
    const head = Atomics.load(this.control, HEAD);
    if (head - Atomics.load(this.control, TAIL) >= this.capacity) return false;
    const slot = head % this.capacity;
    this.#atoms[slot] = atom;
    this.#meta[slot * 2] = token;
    this.#meta[slot * 2 + 1] = atomsBefore;
    Atomics.store(this.control, HEAD, head + 1);
    const alone = head === Atomics.load(this.control, TAIL);
    // A thread polling the empty queue takes this chain without a wake-up (read after the HEAD
    // store: a poller that stops before it saw HEAD move looks again and finds it). Only when it
    // is the one chain queued: a poller takes one, and a second chain pushed before it did must
    // not wait behind that one (it may block until this one runs: a read of what it writes).
    if (alone && Atomics.load(this.control, SPINNING) !== 0) return true;
    // (IDLE counts a thread from the end of its chain: see countIdle. When it is not asleep yet,
    // this notify wakes no one and costs no syscall, and the thread finds the chain itself.)
    if (Atomics.load(this.control, IDLE) > 0) Atomics.notify(this.control, HEAD, 1);
    // A thread waiting for an active slot watches for stuck holders only while chains wait.
    else if (alone) Atomics.notify(this.control, ACTIVE, 1);
    return true;
  }

  /**
   * pop - take a chain (consumers), waiting up to `idleMs` for one.
   * @param spinMs - first poll the empty queue this long (when no other consumer polls it) before
   *   sleeping: see {@link spin}.
   * @param counted - the consumer is counted idle already ({@link countIdle}); pop counts it out.
   * @returns true with `job` filled, or false on idle timeout or shutdown.
   */
  pop(job: Job, idleMs: number, ledger?: ConsumerLedger, spinMs = 0, counted = false): boolean {
    // When the queue was empty: since when (ms), to learn how long this consumer waits for a chain.
    let emptySince = -1;
    let spun = spinMs <= 0;
    // Counted in IDLE from the first wait (or before pop, `counted`) until it takes a chain or
    // gives up: a producer that pushes meanwhile notifies HEAD, not a thread waiting for a slot.
    let idle = counted;
    for (;;) {
      if (Atomics.load(this.control, SHUTDOWN) !== 0) {
        if (idle) this.#countOut(ledger);
        return false;
      }
      const tail = Atomics.load(this.control, TAIL);
      const head = Atomics.load(this.control, HEAD);
      if (tail === head) {
        if (!spun) {
          spun = true;
          emptySince = clock.now();
          // Only while chains have been coming sooner than a poll lasts (when the producer is
          // slower — a chain every 100 µs: uncached reads at QD1 — polling would only burn a CPU),
          // and while polls have mostly seen one (SPIN_HIT_SHARE).
          if (this.#gapMs <= spinMs && (this.#spinHits >= SPIN_HIT_SHARE || ++this.#sinceProbe >= SPIN_PROBE_EVERY)) {
            this.#sinceProbe = 0;
            const hit = this.spin(head, spinMs, ledger);
            this.#spinHits += ((hit ? 1 : 0) - this.#spinHits) * SPIN_HIT_WEIGHT;
          }
          continue;
        }
        if (!idle) {
          Atomics.add(this.control, IDLE, 1);
          if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.idle, 1);
          idle = true;
        }
        const outcome = Atomics.wait(this.control, HEAD, head, idleMs);
        if (outcome === 'timed-out' && this.length === 0) {
          this.#countOut(ledger);
          return false;
        }
        continue;
      }
      // A thread drops its idle count before it takes a chain: a chain already taken is never
      // set against a thread that is no longer free (see PoolThreads.grow).
      if (idle) {
        this.#countOut(ledger);
        idle = false;
      }
      // Read the entry before claiming it: once TAIL moves past it, the producer may reuse the slot.
      const slot = tail % this.capacity;
      const atom = this.#atoms[slot] as number;
      const token = this.#meta[slot * 2] as number;
      const atomsBefore = this.#meta[slot * 2 + 1] as number;
      if (Atomics.compareExchange(this.control, TAIL, tail, tail + 1) !== tail) continue;
      job.atom = atom;
      job.token = token;
      job.atomsBefore = atomsBefore;
      if (emptySince >= 0) this.#gapMs += (clock.now() - emptySince - this.#gapMs) * GAP_WEIGHT;
      return true;
    }
  }

  /**
   * countIdle - (a consumer that will call pop with `counted` next, and holds an active slot)
   * count itself idle now, as it ends a chain, before it publishes that chain's completion. It
   * looks at the queue before it sleeps, so it is free to take a chain from here on; counted only
   * from pop's first wait, a chain pushed while it was between the two (the common case at QD1:
   * the completion wakes the producer, which pushes the next chain at once) found no thread idle
   * and woke a thread waiting for an active slot instead — which found none and slept again (QD1
   * FileHandle.write on the threads engine: 0.5 futex wake-ups a write for nothing).
   */
  countIdle(ledger?: ConsumerLedger): void {
    Atomics.add(this.control, IDLE, 1);
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.idle, 1);
  }

  /** A consumer counted idle is no longer (its ledger first: see ConsumerLedger). */
  #countOut(ledger?: ConsumerLedger): void {
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.idle, 0);
    Atomics.sub(this.control, IDLE, 1);
  }

  /**
   * spin - (a consumer that found the queue empty at `head`) poll it for up to `spinMs` for the
   * next chain, unless another consumer is polling already. While one polls, the producer pushes
   * without Atomics.notify: a chain that follows the last one within the poll costs neither side
   * a futex call nor a context switch (each takes V8's one futex-emulation lock, and the woken
   * thread preempts the producer on a busy machine).
   * @returns whether a chain arrived (or a shutdown began) while it polled.
   */
  spin(head: number, spinMs: number, ledger?: ConsumerLedger): boolean {
    const control = this.control;
    if (Atomics.compareExchange(control, SPINNING, 0, 1) !== 0) return false;
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.spinning, 1);
    const deadline = clock.now() + spinMs;
    let arrived = false;
    for (let polls = 1; ; polls++) {
      if (Atomics.load(control, HEAD) !== head || Atomics.load(control, SHUTDOWN) !== 0) {
        arrived = true;
        break;
      }
      if ((polls & 31) === 0 && clock.now() >= deadline) break;
    }
    Atomics.store(control, SPINNING, 0);
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.spinning, 0);
    return arrived;
  }

  /** forgetSpinning - (the pool) a consumer died while it polled the queue: no one polls now. */
  forgetSpinning(): void {
    Atomics.store(this.control, SPINNING, 0);
  }

  /** popAfterShutdown - (producer, after every consumer has exited) take what is left. */
  popAfterShutdown(job: Job): boolean {
    const tail = Atomics.load(this.control, TAIL);
    if (tail === Atomics.load(this.control, HEAD)) return false;
    const slot = tail % this.capacity;
    job.atom = this.#atoms[slot] as number;
    job.token = this.#meta[slot * 2] as number;
    job.atomsBefore = this.#meta[slot * 2 + 1] as number;
    Atomics.store(this.control, TAIL, tail + 1);
    return true;
  }

  /**
   * Tell every consumer to stop, waking the idle ones. Idempotent, and not enough once: a
   * consumer that has looked at the flag but not yet called Atomics.wait misses this notify (the
   * HEAD and ACTIVE words it waits on do not change here), so a caller waiting for consumers to
   * leave repeats it until they have (CachemissPool.close).
   */
  shutdown(): void {
    Atomics.store(this.control, SHUTDOWN, 1);
    Atomics.add(this.control, HEAD, 0);
    Atomics.notify(this.control, HEAD);
    // Threads waiting for an active slot (more alive than the bound lets run) wait on ACTIVE, up
    // to their idle time: without this, close() waited that long for each of them.
    Atomics.notify(this.control, ACTIVE);
  }

  /**
   * armWake - (the calling thread, before it sleeps) ask the next completion to poke the eventfd.
   * The caller must look at the completion queues once more afterwards: one pushed just before
   * the flag went up saw no request to wake.
   */
  armWake(): void {
    Atomics.store(this.control, NEEDS_WAKE, 1);
  }

  /** takeWake - (a cachemiss thread, after a push) whether the calling thread asked to be woken. */
  takeWake(): boolean {
    return Atomics.load(this.control, NEEDS_WAKE) === 1 && Atomics.exchange(this.control, NEEDS_WAKE, 0) === 1;
  }

  /**
   * acquireActive - (a cachemiss thread) take one of the active slots before looking for work,
   * waiting up to `idleMs` for one. @returns false on timeout or shutdown.
   */
  acquireActive(idleMs: number, ledger?: ConsumerLedger): boolean {
    const deadline = clock.now() + idleMs;
    // Progress of the holders: chains taken from the queue (TAIL), and since when it has not moved.
    let taken = Atomics.load(this.control, TAIL);
    let since = clock.now();
    for (;;) {
      if (Atomics.load(this.control, SHUTDOWN) !== 0) return false;
      const active = Atomics.load(this.control, ACTIVE);
      const waiting = this.length > 0;
      const now = clock.now();
      const tail = Atomics.load(this.control, TAIL);
      if (tail !== taken || !waiting) {
        taken = tail;
        since = now;
      }
      // Over the cap only when chains wait and the holders have taken none for SLOTS_STUCK_MS.
      if (active < Atomics.load(this.control, MAX_ACTIVE) || (waiting && now - since >= SLOTS_STUCK_MS)) {
        if (Atomics.compareExchange(this.control, ACTIVE, active, active + 1) === active) {
          if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.holding, 1);
          return true;
        }
        continue;
      }
      const left = deadline - now;
      if (left <= 0) return false;
      Atomics.wait(this.control, ACTIVE, active, waiting ? Math.min(left, SLOTS_STUCK_MS) : left);
    }
  }

  /** releaseActive - (a cachemiss thread, or the pool for one that died holding it) give the active slot back. */
  releaseActive(ledger?: ConsumerLedger): void {
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.holding, 0);
    Atomics.sub(this.control, ACTIVE, 1);
    Atomics.notify(this.control, ACTIVE, 1);
  }

  /** overActive - (a cachemiss thread holding a slot) whether more slots are held than allowed now. */
  overActive(): boolean {
    return Atomics.load(this.control, ACTIVE) > Atomics.load(this.control, MAX_ACTIVE);
  }

  /** setMaxActive - (the calling thread) how many cachemiss threads may run chains at once. */
  setMaxActive(count: number): void {
    if (Atomics.exchange(this.control, MAX_ACTIVE, count) < count) Atomics.notify(this.control, ACTIVE);
  }

  /** Active slots counted as held now (the shared ACTIVE word). */
  get active(): number {
    return Atomics.load(this.control, ACTIVE);
  }

  /** The current bound on threads running chains at once. */
  get maxActive(): number {
    return Atomics.load(this.control, MAX_ACTIVE);
  }

  /** A consumer's life: count it in (`+1`) or out (`-1`), and mirror that in its ledger. */
  countLive(delta: 1 | -1, ledger?: ConsumerLedger): void {
    Atomics.add(this.control, LIVE, delta);
    if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.live, delta > 0 ? 1 : 0);
  }

  /**
   * retire - (a cachemiss thread after its idle time) count itself out, unless that would leave
   * fewer than `keep` threads alive (the pool keeps a few started, so the next blocking request
   * finds one). @returns whether it was counted out.
   */
  retire(keep: number, ledger?: ConsumerLedger): boolean {
    for (;;) {
      const live = Atomics.load(this.control, LIVE);
      if (live <= keep) return false;
      if (Atomics.compareExchange(this.control, LIVE, live, live - 1) === live) {
        if (ledger !== undefined) Atomics.store(ledger.array, ledger.base + WORKER_STATE.live, 0);
        return true;
      }
    }
  }

  /** forgetIdle - (the pool) a consumer died while counted idle: take its count back. */
  forgetIdle(): void {
    Atomics.sub(this.control, IDLE, 1);
  }
}
