/**
 * What a memory region is (engine/memory.ts keeps the registry of them, and re-exports these):
 * the range, its views, its owner kind, its segments; and the shared table cachemiss threads
 * mirror. Split from memory.ts by job.
 */
import type { RegionSegments } from './segments.js';

/** Who a region belongs to. */
export type RegionKind = 'engine' | 'registered' | 'arena32';

/** A contiguous range of memory the engine may read and write. */
export interface Region {
  /** Its identifier in the registry, unique for the registry's lifetime (from 1). */
  readonly id: number;
  /** First address. */
  readonly start: number;
  /** One past the last address. */
  readonly end: number;
  /** A DataView over the whole region (offset 0 = `start`). */
  readonly view: DataView;
  /** The same bytes as a Uint8Array. */
  readonly bytes: Uint8Array;
  /** Who it belongs to. */
  readonly kind: RegionKind;
  /**
   * How the region is split into areas that are each their own bound (null: one area). A
   * checked range must lie inside one segment, so a length that runs past one pooled object into
   * the next is -EFAULT, as a range past the region's end is.
   */
  readonly segments: RegionSegments | null;
}

/**
 * The shared part of a registry: a SharedArrayBuffer that cachemiss threads read.
 * Int32 [0] is the generation, Int32 [1] how many slots have ever been in use; float64 slots from
 * byte 8 hold [start, length, id, segments], a region in the same slot for its life, in no order
 * (id 0 = empty; segments 0 = none, else 1 + the index of its descriptor in the segment words
 * that follow the slots). Descriptors are appended, never changed. See engine/memory-shared.ts.
 */
export interface SharedRegionTable {
  readonly buffer: SharedArrayBuffer;
}
