/**
 * Segmented regions: a region split periodically into areas that are each their own bound (a
 * slab of pooled objects: a pointer's range must lie inside one area of one object). The splits
 * live in shared words next to the region table, so that cachemiss threads decode the same ones.
 * Split from memory.ts (which asks these questions on every lookup) by job.
 */

/**
 * A periodic split of a region: every `period` bytes from its start, segments begin at the
 * offsets in `starts` (sorted, the first 0). A slab of pooled objects of one layout has the
 * layout's size as its period and the start of each field or area as its starts.
 */
export interface RegionSegments {
  /** The repeat length in bytes. */
  readonly period: number;
  /** Segment starts within one period: sorted, distinct, the first 0, all below `period`. */
  readonly starts: Float64Array;
  /**
   * Per offset within the period, where its segment ends (null for a period past
   * {@link SEGMENT_END_TABLE_LIMIT}: then the starts are searched). Every lookup in a plugin slab
   * asks this; a binary search over the starts per lookup showed in the cached-read profile.
   */
  readonly ends: Uint16Array | null;
}

/** What {@link MemoryRegistry.allocate} takes to split a region into segments (see {@link RegionSegments}). */
export interface SegmentSpec {
  /** The repeat length in bytes (a pooled object's size). */
  readonly period: number;
  /** Where segments begin within one period (0 is implied; order and repeats do not matter). */
  readonly starts: readonly number[];
}

/** Most segment starts one region's split may have. */
export const MAX_SEGMENT_STARTS = 4096;

/** The longest period whose segment ends are tabulated (2 bytes per byte of the period, once per split and thread). */
const SEGMENT_END_TABLE_LIMIT = 8192;

/** segmentEnds - the table of {@link RegionSegments.ends}; null past the limit, or for one segment per period (its end is the period). */
function segmentEnds(period: number, starts: Float64Array): Uint16Array | null {
  if (period > SEGMENT_END_TABLE_LIMIT || starts.length < 2) return null;
  const ends = new Uint16Array(period);
  for (let i = 0; i < starts.length; i++) {
    const end = i + 1 < starts.length ? (starts[i + 1] as number) : period;
    ends.fill(end, starts[i], end);
  }
  return ends;
}

/**
 * The segment splits one registry knows, in the shared words (appended, never changed) and,
 * per thread, decoded. The main thread's table also indexes them by content.
 */
export class SegmentTable {
  readonly #words: Float64Array;
  // Main thread: descriptor index by content, and the next free word. Every thread: decoded splits.
  readonly #index = new Map<string, number>();
  #used = 0;
  readonly #decoded = new Map<number, RegionSegments>();

  /** @param words - the shared descriptor words ([period, count, ...starts] each). */
  constructor(words: Float64Array) {
    this.#words = words;
  }

  /**
   * descriptor - the descriptor index (1-based) of a split, appended to the shared words if new.
   * @throws RangeError for a bad split or a full table.
   */
  descriptor(spec: SegmentSpec): number {
    const { period } = spec;
    if (!Number.isSafeInteger(period) || period <= 0) throw new RangeError(`segments.period must be a positive integer, got ${String(period)}`);
    const starts = [...new Set([0, ...spec.starts])].sort((a, b) => a - b);
    if (starts.length > MAX_SEGMENT_STARTS) throw new RangeError(`at most ${MAX_SEGMENT_STARTS} segment starts, got ${starts.length}`);
    for (const start of starts) {
      if (!Number.isSafeInteger(start) || start < 0 || start >= period) throw new RangeError(`segment start ${String(start)} is not an integer in [0, ${period})`);
    }
    const key = `${period}:${starts.join(',')}`;
    const known = this.#index.get(key);
    if (known !== undefined) return known;
    const at = this.#used;
    if (at + 2 + starts.length > this.#words.length) throw new RangeError('too many distinct segment splits');
    const words = this.#words;
    words[at] = period;
    words[at + 1] = starts.length;
    starts.forEach((start, i) => (words[at + 2 + i] = start));
    this.#used = at + 2 + starts.length;
    this.#index.set(key, at + 1);
    return at + 1;
  }

  /** decode - the split a descriptor index names (null for 0), decoded once per thread. */
  decode(descriptor: number): RegionSegments | null {
    if (descriptor === 0) return null;
    let segments = this.#decoded.get(descriptor);
    if (segments === undefined) {
      const words = this.#words;
      const at = descriptor - 1;
      const count = words[at + 1] as number;
      const period = words[at] as number;
      const starts = words.slice(at + 2, at + 2 + count);
      segments = { period, starts, ends: segmentEnds(period, starts) };
      this.#decoded.set(descriptor, segments);
    }
    return segments;
  }
}

/** segmentEndWithin - where the segment holding offset `within` (0 ≤ within < period) ends, as an offset in the period. */
export function segmentEndWithin(segments: RegionSegments, within: number): number {
  const ends = segments.ends;
  if (ends !== null) return ends[within] as number;
  const starts = segments.starts;
  // The last start <= within: a binary search (starts[0] is 0).
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((starts[mid] as number) <= within) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1 < starts.length ? (starts[lo + 1] as number) : segments.period;
}

/**
 * offsetInPeriod - `offset % period` for a non-negative offset: on int32s while both are (every region below
 * 2 GiB), because `%` on a double is a call to fmod, and this runs for every lookup in a plugin
 * slab. Both operands need the `| 0`: the period comes from a Float64Array (the shared segment
 * words), so V8 types it as a double, and `int32 % double` is still fmod — with only the offset
 * truncated this line was 9 % of an inline chain's samples.
 */
export function offsetInPeriod(offset: number, period: number): number {
  return offset <= 0x7fffffff && period <= 0x7fffffff ? (offset | 0) % (period | 0) : offset % period;
}

/**
 * rangeInOneSegment - whether the `length` bytes at `offset` from a segmented region's start lie
 * inside one segment.
 */
export function rangeInOneSegment(segments: RegionSegments, offset: number, length: number): boolean {
  const within = offsetInPeriod(offset, segments.period);
  return within + length <= segmentEndWithin(segments, within);
}
