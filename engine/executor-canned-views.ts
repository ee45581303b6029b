/**
 * The views a canned chain's planned aio_status atom writes through (split from
 * engine/executor-canned-status.ts, which runs it, so that the plan can make them without
 * importing the module that reads the plan's layout).
 */
import type { Word } from './native/index.js';
import type { Region } from './memory.js';

/** @internal A region's bytes as float64s and int32s (what plans in it read through). */
export interface RegionViews {
  readonly float64: Float64Array;
  readonly int32: Int32Array;
}

/**
 * @internal What a planned aio_status atom's planned run writes through, worked out from the
 * argument values whose confinement check last passed (the run uses it only while its values are
 * those): the regions that check found for its result, error_code and return_value arguments, as
 * int32s, and the addresses' int32 indices there. `ready` is false when any of them has no int32
 * view or is not 4-byte aligned there, or the width is one the call refuses. One per planned
 * aio_status atom, refilled in place.
 */
export class StatusViews {
  ready = false;
  result: Int32Array = EMPTY;
  resultIndex = 0;
  error: Int32Array = EMPTY;
  errorIndex = 0;
  returned: Int32Array = EMPTY;
  returnIndex = 0;
  /** The return value's width in int32s (2, or 1 for compat32's 4 bytes). */
  returnWords = 2;
  // The four argument values it was worked out from, as int32 halves (low, high), as their cells
  // hold them: plain fields, each a load cheaper than a typed array's element.
  low0 = 0;
  high0 = 0;
  low1 = 0;
  high1 = 0;
  low2 = 0;
  high2 = 0;
  low3 = 0;
  high3 = 0;

  /**
   * fill - from the argument values a check passed and the regions it found (per argument
   * index), through the runner's per-region views (regionViewsOf: made when missing).
   */
  fill(args: readonly Word[], regions: readonly (Region | null)[], views: WeakMap<Region, RegionViews>): void {
    this.ready = false;
    const width = args[3];
    if (width !== 8 && width !== 4) return;
    const resultIndex = indexIn(regions[0] ?? null, args[0], views);
    const errorIndex = indexIn(regions[1] ?? null, args[1], views);
    const returnIndex = indexIn(regions[2] ?? null, args[2], views);
    if (resultIndex < 0 || errorIndex < 0 || returnIndex < 0) return;
    this.result = (views.get(regions[0] as Region) as RegionViews).int32;
    this.resultIndex = resultIndex;
    this.error = (views.get(regions[1] as Region) as RegionViews).int32;
    this.errorIndex = errorIndex;
    this.returned = (views.get(regions[2] as Region) as RegionViews).int32;
    this.returnIndex = returnIndex;
    this.returnWords = width >> 2;
    // (As an int32 cell holds them: the low half's bits as a signed int32.)
    this.low0 = lowHalf(args[0] as number);
    this.high0 = highHalf(args[0] as number);
    this.low1 = lowHalf(args[1] as number);
    this.high1 = highHalf(args[1] as number);
    this.low2 = lowHalf(args[2] as number);
    this.high2 = highHalf(args[2] as number);
    this.low3 = lowHalf(args[3] as number);
    this.high3 = highHalf(args[3] as number);
    this.ready = true;
  }
}

const EMPTY = new Int32Array(0);
const lowHalf = (value: number): number => (value >>> 0) | 0;
const highHalf = (value: number): number => Math.floor(value / 4294967296) | 0;

/** The int32 index of `address` in `region`'s views (made when missing), or -1 when there is none or it is not 4-byte aligned there. */
function indexIn(region: Region | null, address: Word | undefined, views: WeakMap<Region, RegionViews>): number {
  if (region === null || typeof address !== 'number' || int32Of(region, views) === null) return -1;
  const offset = address - region.start;
  return offset >= 0 && offset % 4 === 0 ? offset / 4 : -1;
}

function int32Of(region: Region | null, views: WeakMap<Region, RegionViews>): Int32Array | null {
  if (region === null || region.view.byteOffset % 8 !== 0) return null;
  return regionViewsOf(region, views).int32;
}

/**
 * @internal regionViewsOf - `region`'s bytes as float64s and int32s, made once per region and
 * kept in `views` (the runner's map: plans and aio_status atoms share them). Its view must start
 * 8-byte aligned.
 */
export function regionViewsOf(region: Region, views: WeakMap<Region, RegionViews>): RegionViews {
  let found = views.get(region);
  if (found === undefined) {
    const view = region.view;
    found = { float64: new Float64Array(view.buffer, view.byteOffset, view.byteLength >> 3), int32: new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2) };
    views.set(region, found);
  }
  return found;
}

