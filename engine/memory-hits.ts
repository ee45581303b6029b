/**
 * The regions a registry found last, in front of its address index (engine/memory.ts). A chain's
 * atoms, its data buffer and its status (a POSIX request: the plugin slab, the caller's Buffer
 * and the aiocb) live in three regions, so the three most recent hits answer most lookups. Past
 * them, the region last found for each 4 KiB page: a POSIX loop at QD64 touches 64 caller
 * Buffers in turn, each its own region, so a three-deep cache alone always missed and every
 * request paid a binary search over all regions.
 */
import { rangeInOneSegment } from './segments.js';
import type { Region } from './region.js';

/** The page size the page hints are keyed by. */
const PAGE_SIZE = 4096;
/** Page hints per registry (a power of two: the page number's low bits index them). */
const PAGE_HINTS = 256;

/** `region` holds [address, address + length) (known inside it) in one of its segments. */
function inOneSegment(region: Region, address: number, length: number): Region | null {
  return region.segments === null || rangeInOneSegment(region.segments, address - region.start, length) ? region : null;
}

/** The page hint slot of `address` (non-negative): `>>> 0` truncates the quotient as floor would. */
function pageOf(address: number): number {
  return (address / PAGE_SIZE) >>> 0 & (PAGE_HINTS - 1);
}

/** A registry's remembered lookup hits. Validated on use; forgotten whenever a region goes. */
export class RecentHits {
  #last: Region | null = null;
  #previous: Region | null = null;
  #third: Region | null = null;
  readonly #pageHints: (Region | null)[] = new Array<Region | null>(PAGE_HINTS).fill(null);

  /**
   * find - the answer the remembered hits give for [address, address + length) (both
   * non-negative), moving the hit to the front.
   *
   * @returns the region; null when a remembered region holds the range but not in one segment
   *   (so no region does); undefined when no remembered region holds it (ask the index).
   */
  find(address: number, length: number): Region | null | undefined {
    const last = this.#last;
    if (last !== null && address >= last.start && address + length <= last.end) return inOneSegment(last, address, length);
    const previous = this.#previous;
    if (previous !== null && address >= previous.start && address + length <= previous.end) {
      this.#previous = last;
      this.#last = previous;
      return inOneSegment(previous, address, length);
    }
    const third = this.#third;
    if (third !== null && address >= third.start && address + length <= third.end) {
      this.#third = previous;
      this.#previous = last;
      this.#last = third;
      return inOneSegment(third, address, length);
    }
    const hinted = this.#pageHints[pageOf(address)] as Region | null;
    if (hinted !== null && address >= hinted.start && address + length <= hinted.end) {
      this.#third = previous;
      this.#previous = last;
      this.#last = hinted;
      return inOneSegment(hinted, address, length);
    }
    return undefined;
  }

  /**
   * remember - put the region the index found for [address, address + length) in front, and in
   * its page's hint.
   *
   * @returns the answer for the range: `region`, or null when the range is not in one segment.
   */
  remember(region: Region, address: number, length: number): Region | null {
    this.#third = this.#previous;
    this.#previous = this.#last;
    this.#last = region;
    this.#pageHints[pageOf(address)] = region;
    return inOneSegment(region, address, length);
  }

  /** forget - drop every hit: a region went (or, in a mirror, the table was reloaded). */
  forget(): void {
    this.#last = null;
    this.#previous = null;
    this.#third = null;
    this.#pageHints.fill(null);
  }
}
