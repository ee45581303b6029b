/**
 * One-word access to native memory: the 64-bit little-endian words that atoms, cells, rings and
 * aiocbs are made of, read as a number while exact and as a bigint beyond 2^53.
 */
import type { Word } from './native/index.js';
import type { Region } from './memory.js';

const TWO32 = 4294967296;
/** Highest hi-word for which hi * 2^32 + lo is still an exact double. */
const SAFE_HI = 0x200000;

/** readPointer - an unsigned 64-bit word as an address; -1 when it cannot be a user address. */
export function readPointer(view: DataView, offset: number): number {
  const lo = view.getUint32(offset, true);
  const hi = view.getUint32(offset + 4, true);
  if (hi >= SAFE_HI) return -1;
  return hi * TWO32 + lo;
}

/** readWord - a signed 64-bit word: a number when exact, else a bigint. */
export function readWord(view: DataView, offset: number): Word {
  const lo = view.getUint32(offset, true);
  const hi = view.getInt32(offset + 4, true);
  if (hi >= -SAFE_HI && hi < SAFE_HI) return hi * TWO32 + lo;
  return view.getBigInt64(offset, true);
}

/** setWord - store a number or bigint as a 64-bit little-endian word. */
export function setWord(view: DataView, offset: number, value: Word): void {
  if (typeof value === 'bigint') {
    view.setBigInt64(offset, BigInt.asIntN(64, value), true);
    return;
  }
  if ((value | 0) === value) {
    // An int32 (a result, a status, a length): its high word is its sign, no division needed.
    view.setInt32(offset, value, true);
    view.setInt32(offset + 4, value >> 31, true);
    return;
  }
  const hi = Math.floor(value / TWO32);
  view.setUint32(offset, value - hi * TWO32, true);
  view.setInt32(offset + 4, hi | 0, true);
}

/** wordLow - the low 32 bits of a signed 64-bit word, as an int32 (see {@link wordFromHalves}). */
export function wordLow(value: Word): number {
  if (typeof value === 'bigint') return Number(BigInt.asIntN(32, value));
  return (value - Math.floor(value / TWO32) * TWO32) | 0;
}

/** wordHigh - the high 32 bits of a signed 64-bit word, as an int32. */
export function wordHigh(value: Word): number {
  if (typeof value === 'bigint') return Number(BigInt.asIntN(32, value >> 32n));
  return Math.floor(value / TWO32) | 0;
}

/**
 * wordFromHalves - the word two int32 halves hold: a number while exact, else a bigint (so a
 * one-word result crosses a shared Int32Array without being rounded through a double).
 */
export function wordFromHalves(low: number, high: number): Word {
  if (high >= -SAFE_HI && high < SAFE_HI) return high * TWO32 + (low >>> 0);
  return (BigInt(high) << 32n) | BigInt(low >>> 0);
}

/** writeWord - store a one-word result at an address inside `region`. */
export function writeWord(region: Region, address: number, value: Word): void {
  setWord(region.view, address - region.start, value);
}
