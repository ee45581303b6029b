/**
 * The checks every `struct aiocb` and `struct sigevent` member's setter makes before it writes
 * the native bytes: a bad value is a TypeError or RangeError naming the member, and nothing is
 * written.
 */
import type { Word } from '../engine/native/index.js';

/**
 * integer - a member's value checked as a safe integer.
 * @throws TypeError naming the field otherwise.
 */
export function integer(field: string, value: number): number {
  if (!Number.isSafeInteger(value)) throw new TypeError(`${field} must be an integer, got ${String(value)}`);
  return value;
}

/**
 * int32 - a member's value checked as a C `int`.
 * @throws TypeError naming the field otherwise.
 */
export function int32(field: string, value: number): number {
  if (!Number.isInteger(value) || value < -0x8000_0000 || value > 0x7fff_ffff) throw new TypeError(`${field} must be a 32-bit integer, got ${String(value)}`);
  return value;
}

/**
 * word - a member's value checked as an 8-byte word (a safe integer, or a bigint within 64 bits).
 * @throws TypeError naming the field for a number that is not a safe integer; RangeError for a bigint outside 64 bits.
 */
export function word(field: string, value: number | bigint): Word {
  if (typeof value === 'bigint') {
    if (value < -(2n ** 63n) || value >= 2n ** 64n) throw new RangeError(`${field} does not fit in 64 bits`);
    return value;
  }
  return integer(field, value);
}
