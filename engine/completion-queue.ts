/**
 * The shared-memory queue of finished chains from one cachemiss thread back to the calling thread:
 * one per thread, one producer (it), one consumer (the caller). The way there is
 * submission-queue.ts.
 */

import type { Word } from './native/index.js';
import { wordFromHalves, wordHigh, wordLow } from './words.js';

/** One finished (or faulted) chain as the calling thread receives it. Reused between pops. */
export interface Finished {
  token: number;
  last: number;
  /** The last atom's result, exact (a bigint beyond 2^53). */
  result: Word;
  atoms: number;
  stop: number;
  /** Time the cachemiss thread spent running it, in ns (0 for chains it never ran). */
  serviceNs: number;
  /**
   * How long of that the thread was not blocked (on a CPU or waiting for one), in ns, for the
   * chains it sampled; 0 for the others (see cachemiss-clock.ts and the governor).
   */
  busyNs: number;
}

const C_HEAD = 0;
const C_TAIL = 1;
/** Per completion: float64 [last atom, service ns, busy ns]; int32 [token, atoms, stop, result low, result high]. */
const WORDS_PER_SLOT = 3;
const INTS_PER_SLOT = 5;

/** The buffers of one completion queue. */
export interface CompletionQueueBuffers {
  readonly control: SharedArrayBuffer;
  readonly words: SharedArrayBuffer;
  readonly ints: SharedArrayBuffer;
  readonly capacity: number;
  /** The pool's count of completions pushed to any of its queues (see {@link publishedCounter}). */
  readonly published: SharedArrayBuffer;
}

/**
 * publishedCounter - the word a pool's completion queues all count their pushes in (a running
 * Int32 total that wraps; compare it only for equality). The calling thread polls for
 * completions on every aio_error of a request in flight: with one queue per thread ever
 * started, looking at each queue cost two Atomics.load builtin calls per queue per look (P5:
 * ~10 % of the calling thread's CPU). One load of this word tells it whether anything new came.
 */
export function publishedCounter(): SharedArrayBuffer {
  // A cache line of its own: the threads add to it on every completion, and nothing else the
  // calling thread writes should share the line.
  return new SharedArrayBuffer(64);
}

/** Finished chains from one cachemiss thread to the calling thread. */
export class CompletionQueue {
  readonly #control: Int32Array;
  readonly #words: Float64Array;
  readonly #ints: Int32Array;
  readonly #published: Int32Array;
  readonly capacity: number;

  /**
   * @param buffers - an existing queue's (a cachemiss thread's side); none: a new queue.
   * @param published - (a new queue) the pool's {@link publishedCounter}.
   */
  constructor(buffers?: CompletionQueueBuffers, capacity = 1024, published?: SharedArrayBuffer) {
    const cap = buffers?.capacity ?? capacity;
    this.capacity = cap;
    this.#published = new Int32Array(buffers?.published ?? published ?? publishedCounter(), 0, 1);
    this.#control = new Int32Array(buffers?.control ?? new SharedArrayBuffer(8));
    this.#words = new Float64Array(buffers?.words ?? new SharedArrayBuffer(cap * WORDS_PER_SLOT * 8));
    this.#ints = new Int32Array(buffers?.ints ?? new SharedArrayBuffer(cap * INTS_PER_SLOT * 4));
  }

  get buffers(): CompletionQueueBuffers {
    return {
      control: this.#control.buffer as SharedArrayBuffer,
      words: this.#words.buffer as SharedArrayBuffer,
      ints: this.#ints.buffer as SharedArrayBuffer,
      capacity: this.capacity,
      published: this.#published.buffer as SharedArrayBuffer,
    };
  }

  /** push - (producer) publish a finished chain, waiting while the queue is full. */
  push(token: number, last: number, result: Word, atoms: number, stop: number, serviceNs: number, busyNs: number): void {
    for (;;) {
      const head = Atomics.load(this.#control, C_HEAD);
      const tail = Atomics.load(this.#control, C_TAIL);
      if (head - tail < this.capacity) {
        const slot = head % this.capacity;
        this.#words[slot * WORDS_PER_SLOT] = last;
        this.#words[slot * WORDS_PER_SLOT + 1] = serviceNs;
        this.#words[slot * WORDS_PER_SLOT + 2] = busyNs;
        const ints = slot * INTS_PER_SLOT;
        this.#ints[ints] = token;
        this.#ints[ints + 1] = atoms;
        this.#ints[ints + 2] = stop;
        // The result as two halves: a double would round a 64-bit word past 2^53.
        this.#ints[ints + 3] = wordLow(result);
        this.#ints[ints + 4] = wordHigh(result);
        Atomics.store(this.#control, C_HEAD, head + 1);
        // Counted after HEAD moved, with no function call between the two (a thread is
        // terminated only at a function entry, a loop back-edge or in Atomics.wait): whoever
        // reads the count and then looks at the queues finds every push counted so far.
        Atomics.add(this.#published, 0, 1);
        return;
      }
      // Back-pressure: the caller has not drained; nothing is dropped, we wait for room.
      Atomics.wait(this.#control, C_TAIL, tail, 50);
    }
  }

  /** isEmpty - (consumer) whether nothing is waiting. */
  isEmpty(): boolean {
    return Atomics.load(this.#control, C_TAIL) === Atomics.load(this.#control, C_HEAD);
  }

  /** pop - (consumer) take one finished chain. @returns false when empty. */
  pop(out: Finished): boolean {
    const tail = Atomics.load(this.#control, C_TAIL);
    if (tail === Atomics.load(this.#control, C_HEAD)) return false;
    const slot = tail % this.capacity;
    out.last = this.#words[slot * WORDS_PER_SLOT] as number;
    out.serviceNs = this.#words[slot * WORDS_PER_SLOT + 1] as number;
    out.busyNs = this.#words[slot * WORDS_PER_SLOT + 2] as number;
    const ints = slot * INTS_PER_SLOT;
    out.token = this.#ints[ints] as number;
    out.atoms = this.#ints[ints + 1] as number;
    out.stop = this.#ints[ints + 2] as number;
    out.result = wordFromHalves(this.#ints[ints + 3] as number, this.#ints[ints + 4] as number);
    Atomics.store(this.#control, C_TAIL, tail + 1);
    // The producer waits only on a full queue; read HEAD after the store, so a producer that
    // found it full before the store is seen here (and one that looks after it finds room).
    // Atomics.notify takes V8's one futex lock, which every waiting and notifying thread of the
    // process contends for: once per completion, it made the threads' waits wait for it.
    if (Atomics.load(this.#control, C_HEAD) - tail >= this.capacity) Atomics.notify(this.#control, C_TAIL, 1);
    return true;
  }
}
