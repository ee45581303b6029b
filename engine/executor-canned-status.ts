/**
 * A canned chain's aio_status atom, run by the plan itself (split from engine/executor-canned.ts,
 * whose comment lists the checks every planned atom gets; issue 16 P1). Every POSIX request's
 * chain ends in aio_status; through the generic private-call path it cost a cached aio_read ~1,000
 * instructions (its four argument cells read in run()'s loop, cannedPrivate, the implementation's
 * DataView reads and writes). Here its cells are read and the status written through the
 * int32s of the regions its last passed confinement check found, straight-line; anything
 * else is answered "not here" and run() takes the planned private-call path, which gives the
 * same answer (engine/private-syscalls.ts aioStatus) with the full machinery.
 */
import { CHECKED_VERSION, I_CELLS } from './executor-canned-plan.js';
import type { StatusViews } from './executor-canned-views.js';

// (This module's own consts: TurboFan folds them; an imported binding is loaded from its cell.)
const VERSION = CHECKED_VERSION;
const CELLS = I_CELLS;
const TWO32 = 4294967296;
const SAFE_HIGH = 0x200000;

/**
 * @internal plannedStatus - aio_status(result, error_code, return_value, width) for a planned
 * atom, if it can be run here: its four argument words are read now through their planned cells
 * (the words naming those cells were compared by the caller) and must be the values whose
 * confinement check last passed at this registry version (all four are checked: the return
 * value's length is `width`; `found` keeps them as the cells hold them); `found` holds what that check found for them (their int32 views
 * and indices: the ranges it confined), when they are 4-byte aligned there. As aioStatus: the return
 * value (result < 0 ? -1 : result, `width` bytes) is stored first, then the error code (aio_error
 * polls it), and the result is returned.
 * @param int32 - the plan's region as int32s (where the argument cells are).
 * @param ints - the plan's small integers, the atom's at `ia`; `numbers` its numbers, at `at`.
 * @returns the status word, or NaN when the caller must run the atom the planned generic way
 *   (another value, a first run, a result past 2^53, a width the call refuses, no int32 view).
 */
export function plannedStatus(int32: Int32Array, ints: Int32Array, ia: number, numbers: Float64Array, at: number, version: number, found: StatusViews): number {
  if (numbers[at + VERSION] !== version || !found.ready) return NaN;
  // The argument words, read now, compared as int32 halves with the values that passed (a
  // detached buffer reads undefined: a mismatch, and the planned path throws as it always did).
  let c = ints[ia + CELLS] as number;
  if (int32[c] !== found.low0 || int32[c + 1] !== found.high0) return NaN;
  c = ints[ia + CELLS + 1] as number;
  if (int32[c] !== found.low1 || int32[c + 1] !== found.high1) return NaN;
  c = ints[ia + CELLS + 2] as number;
  if (int32[c] !== found.low2 || int32[c + 1] !== found.high2) return NaN;
  c = ints[ia + CELLS + 3] as number;
  if (int32[c] !== found.low3 || int32[c + 1] !== found.high3) return NaN;
  const results = found.result;
  const errors = found.error;
  const returns = found.returned;
  const r = found.resultIndex;
  const e = found.errorIndex;
  const t = found.returnIndex;
  const wide = found.returnWords === 2;
  // (Inside the views unless a buffer was detached since: then the planned path throws, as it always did.)
  if (r + 1 >= results.length || e >= errors.length || t + found.returnWords > returns.length) return NaN;
  const high = results[r + 1] as number;
  if (high < -SAFE_HIGH || high >= SAFE_HIGH) return NaN;
  const result = high * TWO32 + ((results[r] as number) >>> 0);
  const returned = result < 0 ? -1 : result;
  if (!wide || (returned | 0) === returned) {
    // (An int32 store wraps as DataView.setInt32 does; an int32's high word is its sign.)
    returns[t] = returned;
    if (wide) returns[t + 1] = returned >> 31;
  } else {
    const hi = Math.floor(returned / TWO32);
    returns[t] = returned - hi * TWO32;
    returns[t + 1] = hi;
  }
  // The error code goes last: aio_error() polls it, so the return value must already be there.
  errors[e] = result < 0 ? -result : 0;
  return result;
}
