/**
 * Where the memory registry (engine/memory.ts) keeps its regions: one slot each for the region's
 * life (the slot its shared-table entry is in, engine/memory-shared.ts), named by the region's id,
 * and the address index over them (engine/memory-index.ts). Taking and freeing a slot is O(1);
 * placing a region in the index is a binary search and a memmove. Split from memory.ts by job.
 */
import type { Region } from './region.js';
import { RegionIndex } from './memory-index.js';
import { SLOT_FIELDS } from './memory-shared.js';

/** The regions one thread can see, by slot and by address. */
export class RegionSlots {
  readonly #capacity: number;
  readonly #bySlot: (Region | null)[];
  // What the registry gave as each region's owner (what its release frees).
  readonly #owners: unknown[];
  // How many times each slot has been taken: a region's id is unique for the registry's life.
  readonly #reuses: Float64Array;
  // Free slots below #used (a stack: the last freed is taken first, keeping the shared table's
  // used part, which mirrors copy, as short as the most regions ever held at once).
  readonly #free: Int32Array;
  #freeCount = 0;
  #used = 0;
  readonly #index: RegionIndex;

  /** @param capacity - most regions (MAX_REGIONS). */
  constructor(capacity: number) {
    this.#capacity = capacity;
    this.#bySlot = new Array<Region | null>(capacity).fill(null);
    this.#owners = new Array<unknown>(capacity).fill(undefined);
    this.#reuses = new Float64Array(capacity);
    this.#free = new Int32Array(capacity);
    this.#index = new RegionIndex(capacity);
  }

  /** How many regions there are. */
  get count(): number {
    return this.#index.count;
  }

  /** holding - the region whose range holds `address`, or null. */
  holding(address: number): Region | null {
    const slot = this.#index.slotHolding(address);
    return slot < 0 ? null : (this.#bySlot[slot] as Region);
  }

  /** overlapping - the regions overlapping [start, end), in address order, into `into` (emptied first). */
  overlapping(start: number, end: number, into: Region[], scratch: number[]): Region[] {
    into.length = 0;
    for (const slot of this.#index.overlapping(start, end, scratch)) into.push(this.#bySlot[slot] as Region);
    return into;
  }

  /**
   * take - a free slot for a new region (the table must not be full) and the id that names it.
   * Place the region there with {@link put}.
   */
  take(): { slot: number; id: number } {
    const slot = this.#freeCount > 0 ? (this.#free[--this.#freeCount] as number) : this.#used++;
    const reuses = this.#reuses[slot] as number;
    this.#reuses[slot] = reuses + 1;
    return { slot, id: reuses * this.#capacity + slot + 1 };
  }

  /** put - `region` (with the id {@link take} gave) lives in `slot` from now on. */
  put(slot: number, region: Region, owner: unknown): void {
    this.#bySlot[slot] = region;
    this.#owners[slot] = owner;
    this.#index.insert(region.start, region.end, slot);
  }

  /** slotOf - the slot a region with this id lives in while it lives. */
  slotOf(id: number): number {
    return (id - 1) % this.#capacity;
  }

  /** ownerOf - what `region` was put with, while it is here (else undefined). */
  ownerOf(region: Region): unknown {
    const slot = this.slotOf(region.id);
    return this.#bySlot[slot] === region ? this.#owners[slot] : undefined;
  }

  /** remove - take `region` out. @returns its slot, or -1 when it was not here. */
  remove(region: Region): number {
    const slot = this.slotOf(region.id);
    if (this.#bySlot[slot] !== region) return -1;
    this.#index.remove(region.start, slot);
    this.#bySlot[slot] = null;
    this.#owners[slot] = undefined;
    this.#free[this.#freeCount++] = slot;
    return slot;
  }

  /**
   * mirror - in a cachemiss thread, make the slots what a copy of the shared table says: a region
   * whose slot now names another id (or none) goes, and one is made (by `make`) for each new id.
   * Regions that did not change are kept, views and all.
   *
   * @param snapshot - the shared slots ([start, length, id, descriptor] each), `used` of them.
   * @returns whether anything changed.
   */
  mirror(snapshot: Float64Array, used: number, make: (id: number, start: number, length: number, descriptor: number) => Region): boolean {
    const bySlot = this.#bySlot;
    const index = this.#index;
    const top = Math.max(used, this.#used);
    // Regions gone (or replaced) first, then the new ones: the index never holds two that overlap.
    let changed = false;
    for (let slot = 0; slot < top; slot++) {
      const current = bySlot[slot] as Region | null;
      if (current === null) continue;
      const id = slot < used ? (snapshot[slot * SLOT_FIELDS + 2] as number) : 0;
      if (current.id === id) continue;
      index.remove(current.start, slot);
      bySlot[slot] = null;
      changed = true;
    }
    for (let slot = 0; slot < used; slot++) {
      const at = slot * SLOT_FIELDS;
      const id = snapshot[at + 2] as number;
      if (id === 0 || bySlot[slot] !== null) continue;
      const region = make(id, snapshot[at] as number, snapshot[at + 1] as number, snapshot[at + 3] as number);
      bySlot[slot] = region;
      index.insert(region.start, region.end, slot);
      changed = true;
    }
    this.#used = used;
    return changed;
  }
}
