/**
 * The address index of the memory registry (engine/memory.ts): the regions' ranges sorted by
 * start, each with the slot its region lives in, in typed arrays. A registration or a release
 * moves the entries after its place with copyWithin (a memmove of at most MAX_REGIONS doubles
 * per array); the array of Region objects this replaced was spliced, which with a thousand
 * regions cost more than the rest of an aio_read with a new buffer (38-41 µs of CPU per call).
 * Split from memory.ts by job.
 */

/** The sorted ranges of the regions one thread can see. */
export class RegionIndex {
  readonly #starts: Float64Array;
  readonly #ends: Float64Array;
  readonly #slots: Int32Array;
  #count = 0;

  /** @param capacity - most entries (the registry's MAX_REGIONS). */
  constructor(capacity: number) {
    this.#starts = new Float64Array(capacity);
    this.#ends = new Float64Array(capacity);
    this.#slots = new Int32Array(capacity);
  }

  /** How many ranges are indexed. */
  get count(): number {
    return this.#count;
  }

  /**
   * slotHolding - the slot of the region whose range holds `address`, or -1. Ranges never
   * overlap and are never empty (the registry refuses both), so it is the last one starting at
   * or before `address`, if it reaches past it.
   */
  slotHolding(address: number): number {
    const starts = this.#starts;
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) <= address) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 && address < (this.#ends[lo - 1] as number) ? (this.#slots[lo - 1] as number) : -1;
  }

  /**
   * overlapping - the slots of the ranges that overlap [start, end), in address order.
   * @param into - where to put them (emptied first).
   */
  overlapping(start: number, end: number, into: number[]): number[] {
    into.length = 0;
    let at = this.#firstStartingAtOrAfter(start);
    // The one before may reach into the range (no other before it can: they do not overlap).
    if (at > 0 && (this.#ends[at - 1] as number) > start) at--;
    while (at < this.#count && (this.#starts[at] as number) < end) into.push(this.#slots[at++] as number);
    return into;
  }

  /** insert - index [start, end) for `slot` (it must overlap no indexed range, and the index must not be full). */
  insert(start: number, end: number, slot: number): void {
    const at = this.#firstStartingAtOrAfter(start);
    const count = this.#count;
    if (at < count) {
      this.#starts.copyWithin(at + 1, at, count);
      this.#ends.copyWithin(at + 1, at, count);
      this.#slots.copyWithin(at + 1, at, count);
    }
    this.#starts[at] = start;
    this.#ends[at] = end;
    this.#slots[at] = slot;
    this.#count = count + 1;
  }

  /** remove - drop the range of `slot`, which starts at `start`. @returns whether it was indexed. */
  remove(start: number, slot: number): boolean {
    const count = this.#count;
    let at = this.#firstStartingAtOrAfter(start);
    // (Ranges do not overlap, so at most one starts at `start`; a mirror in mid-update may
    // briefly hold two, hence the walk.)
    while (at < count && (this.#starts[at] as number) === start && this.#slots[at] !== slot) at++;
    if (at >= count || this.#slots[at] !== slot) return false;
    this.#starts.copyWithin(at, at + 1, count);
    this.#ends.copyWithin(at, at + 1, count);
    this.#slots.copyWithin(at, at + 1, count);
    this.#count = count - 1;
    return true;
  }

  /** The index of the first range that starts at or after `address` (the count if none). */
  #firstStartingAtOrAfter(address: number): number {
    const starts = this.#starts;
    let lo = 0;
    let hi = this.#count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((starts[mid] as number) < address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
