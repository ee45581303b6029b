/**
 * The region table cachemiss threads mirror (engine/memory.ts), in a SharedArrayBuffer: one
 * slot per region, at the slot the region keeps for its life, so that a registration or a
 * release writes one slot. (The table used to be kept in address order, and every change
 * rewrote every slot after its place.) Readers copy the slots in use under a seqlock and diff
 * them against their own copy by id. Split from memory.ts by job.
 *
 * Layout: Int32 [0] is the generation (odd while the table is being written), Int32 [1] how many
 * slots have ever been in use (a reader looks no further); float64 slots from byte 8 hold
 * [start, length, id, segments] (id 0 = empty; segments 0 = none, else 1 + the index of its
 * descriptor in the segment words that follow the slots).
 */

/** Float64 words per slot: start, length, id, segment descriptor. */
export const SLOT_FIELDS = 4;

/** The slots of a shared region table, for the thread that writes them or one that reads them. */
export class SharedSlots {
  readonly #header: Int32Array;
  readonly #slots: Float64Array;

  /**
   * @param buffer - the table's SharedArrayBuffer.
   * @param capacity - how many slots it has (from byte 8).
   */
  constructor(buffer: SharedArrayBuffer, capacity: number) {
    this.#header = new Int32Array(buffer, 0, 2);
    this.#slots = new Float64Array(buffer, 8, capacity * SLOT_FIELDS);
  }

  /** The current generation (odd: being written). */
  generation(): number {
    return Atomics.load(this.#header, 0);
  }

  /** begin - writes follow: readers retry until {@link end}. Pairs nest nowhere: one writer, one pair at a time. */
  begin(): void {
    Atomics.add(this.#header, 0, 1);
  }

  /** end - the writes since {@link begin} are complete. */
  end(): void {
    Atomics.add(this.#header, 0, 1);
  }

  /** write - a region now lives in `slot` (between {@link begin} and {@link end}). */
  write(slot: number, start: number, length: number, id: number, descriptor: number): void {
    const at = slot * SLOT_FIELDS;
    const slots = this.#slots;
    slots[at] = start;
    slots[at + 1] = length;
    slots[at + 2] = id;
    slots[at + 3] = descriptor;
    if (slot >= Atomics.load(this.#header, 1)) Atomics.store(this.#header, 1, slot + 1);
  }

  /** clear - `slot` holds no region any more (between {@link begin} and {@link end}). */
  clear(slot: number): void {
    this.#slots[slot * SLOT_FIELDS + 2] = 0;
  }

  /**
   * snapshot - copy the slots ever in use into `into`, as one consistent table: the copy is kept
   * only if the generation was even and did not move while it was read.
   * @returns the generation copied and how many slots `into` now holds.
   */
  snapshot(into: Float64Array): { generation: number; used: number } {
    for (;;) {
      const generation = Atomics.load(this.#header, 0);
      if ((generation & 1) !== 0) continue;
      const used = Atomics.load(this.#header, 1);
      into.set(this.#slots.subarray(0, used * SLOT_FIELDS));
      if (Atomics.load(this.#header, 0) === generation) return { generation, used };
    }
  }
}
