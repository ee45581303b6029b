/**
 * The answers MemoryRegistry.find remembers (engine/memory.ts): per (address, length), the region
 * last found for it. A hit skips the range and segment checks, which cost most for the segmented
 * slabs (plugin instances, aiocbs) that most of a request's lookups land in. Only regions are
 * remembered, never a refusal (a region may come later), and the registry clears them all
 * whenever a region goes, as it clears its other hints. Split from memory.ts by job.
 */
import type { Region } from './region.js';

/**
 * Answers kept (a power of two: the address's low bits index them). A POSIX loop at QD64 asks
 * about some 320 ranges in turn (64 Buffers, 64 aiocbs' two status fields, 64 instances' atoms
 * and result cells): with 1024 slots, one lookup in eight still collided and went on to the
 * registry's slower hints (~180 instructions per request); with 4096, few do. Clearing stores
 * 4096 nulls, about what the three fills of 1024 slots cost before.
 */
const ANSWERS = 4096;
/** How many filled slots clear() empties one by one (more: it fills the whole table). */
const FILLED_LISTED = 64;
const SLOT_SHIFT = 32 - 12;

/**
 * The slot of an address: its 8-byte unit's low 32 bits (`>>> 3` truncates the double), spread by
 * a multiplicative hash and taken from the top. The low bits alone would put pooled objects of a
 * power-of-two size (plugin instances, aiocbs) in a few slots. Only an index: the whole address
 * is compared.
 */
function slotOf(address: number): number {
  return Math.imul(address >>> 3, 0x9e3779b1) >>> SLOT_SHIFT;
}

/** A direct-mapped table of (address, length) -> region. */
export class RangeAnswers {
  readonly #address = new Float64Array(ANSWERS).fill(Number.NaN);
  readonly #length = new Float64Array(ANSWERS).fill(Number.NaN);
  readonly #region: (Region | null)[] = new Array<Region | null>(ANSWERS).fill(null);
  /**
   * The slots given a region since the last clear, while there are few (FILLED_LISTED at most;
   * past that, -1: clear fills the whole table). A program that registers a fresh buffer per
   * request clears after every few answers, and filling 4,096 slots each time was a tenth of
   * such a request's CPU.
   */
  readonly #filled = new Int32Array(FILLED_LISTED);
  #filledCount = 0;

  /** get - the region remembered for exactly [address, address + length), or null. */
  get(address: number, length: number): Region | null {
    const slot = slotOf(address);
    return this.#address[slot] === address && this.#length[slot] === length ? (this.#region[slot] as Region | null) : null;
  }

  /** put - remember that `region` holds [address, address + length) (replacing that slot's answer). */
  put(address: number, length: number, region: Region): void {
    const slot = slotOf(address);
    this.#address[slot] = address;
    this.#length[slot] = length;
    if (this.#region[slot] === null && this.#filledCount >= 0) {
      if (this.#filledCount < FILLED_LISTED) this.#filled[this.#filledCount++] = slot;
      else this.#filledCount = -1;
    }
    this.#region[slot] = region;
  }

  /**
   * clear - forget every answer (a region went, or a mirror reloaded its table). A slot without
   * a region answers nothing whatever its range, so only the regions are dropped (which also
   * lets a released region's buffer go).
   */
  clear(): void {
    const count = this.#filledCount;
    if (count < 0) this.#region.fill(null);
    else for (let i = 0; i < count; i++) this.#region[this.#filled[i] as number] = null;
    this.#filledCount = 0;
  }
}
