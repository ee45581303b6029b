/**
 * The syslet-private calls: operations a chain needs that no kernel syscall provides. They run
 * in the executor like any other atom (same policy, same confinement checks from the table), so
 * a chain can keep a loop counter (umem_add, as in Ingo's patches), publish a POSIX AIO status
 * before its notification atom (aio_status) or size its next read from fstat's st_size (read_size).
 * compat-calls.ts adds the i386 answers compat32 needs (non-LFS open, the old struct stat).
 */
import { EFAULT, EINVAL, type Word } from './native/index.js';
import { readWord, setWord } from './words.js';
import { COMPAT_IMPLS, WOULD_BLOCK } from './compat-calls.js';
import type { MemoryRegistry, Region } from './memory.js';

import { STRUCT_SIZES } from './syscalls/table.js';
import { STAT_SIZE_OFFSET } from './syscalls/abi.js';

/**
 * An implementation of a syslet-private call. `nonblocking` is true on the inline path: a call
 * that would block answers {@link WOULD_BLOCK} and the chain moves to a cachemiss thread (only
 * the compat calls can block; the others never look at it).
 */
export type PrivateImpl = (args: readonly Word[], memory: MemoryRegistry, nonblocking: boolean, confined: ConfinedRegions) => number | bigint | typeof WOULD_BLOCK;

/**
 * Per argument index, the region the confinement check found for that pointer argument
 * (Confinement.regions): an implementation works on it instead of looking the address up again.
 * Null where the check found nothing to hold (a NULL pointer, a length of 0); then it looks up.
 */
export type ConfinedRegions = readonly (Region | null)[];

export { WOULD_BLOCK };

const toBig = (value: Word): bigint => (typeof value === 'bigint' ? value : BigInt(value));

function umemAdd(args: readonly Word[], memory: MemoryRegistry, _nonblocking: boolean, confined: ConfinedRegions): Word {
  const address = Number(args[0]);
  // The table's checks have already confined [address, address + 8).
  const region = confined[0] ?? memory.find(address, 8);
  if (region === null) return -EFAULT;
  const offset = address - region.start;
  // Not atomic, as in the kernel's get_user/put_user implementation: a counter is owned by one chain.
  const current = readWord(region.view, offset);
  const inc = args[1] as Word;
  // Loop counters and cursors are small: add them as doubles. A sum that is a safe integer was
  // computed exactly and did not wrap, so it equals the modulo-2^64 sum read as signed.
  if (typeof current === 'number' && typeof inc === 'number' && Number.isSafeInteger(inc)) {
    const sum = current + inc;
    if (Number.isSafeInteger(sum)) {
      setWord(region.view, offset, sum);
      return sum;
    }
  }
  const sum = BigInt.asUintN(64, toBig(current) + BigInt.asUintN(64, toBig(inc)));
  region.view.setBigUint64(offset, sum, true);
  return BigInt.asIntN(64, sum);
}

function umemAdd32(args: readonly Word[], memory: MemoryRegistry): number {
  const address = Number(args[0]);
  const region = memory.find(address, 4);
  if (region === null) return -EFAULT;
  const offset = address - region.start;
  const sum = (region.view.getUint32(offset, true) + Number(BigInt.asUintN(32, toBig(args[1] as Word)))) >>> 0;
  region.view.setUint32(offset, sum, true);
  return sum;
}

function aioStatus(args: readonly Word[], memory: MemoryRegistry, _nonblocking: boolean, confined: ConfinedRegions): number {
  const width = Number(args[3]);
  if (width !== 8 && width !== 4) return -EINVAL;
  const resultAt = Number(args[0]);
  const errorAt = Number(args[1]);
  const returnAt = Number(args[2]);
  // The table's checks confined exactly these ranges (the return value's is `width` long).
  const resultRegion = confined[0] ?? memory.find(resultAt, 8);
  const errorRegion = confined[1] ?? memory.find(errorAt, 4);
  const returnRegion = confined[2] ?? memory.find(returnAt, width);
  if (resultRegion === null || errorRegion === null || returnRegion === null) return -EFAULT;
  const result = Number(readWord(resultRegion.view, resultAt - resultRegion.start));
  const returnOffset = returnAt - returnRegion.start;
  const returned = result < 0 ? -1 : result;
  if (width === 8) setWord(returnRegion.view, returnOffset, returned);
  else returnRegion.view.setInt32(returnOffset, returned, true);
  // The error code goes last: aio_error() polls it, so the return value must already be there.
  errorRegion.view.setInt32(errorAt - errorRegion.start, result < 0 ? -result : 0, true);
  return result;
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** read_size on values past 2^53: the same rule in BigInt arithmetic (`size` signed, the rest unsigned). */
function readSizeBig(size: bigint, done: bigint, chunk: bigint): bigint {
  if (chunk === 0n || (size > 0n && done >= size)) return 0n;
  return size > done && size - done < chunk ? size - done : chunk;
}

/** read_size(want, st, done, chunk): the contract is documented at SYSLET_NR.read_size. */
function readSize(args: readonly Word[], memory: MemoryRegistry, _nonblocking: boolean, confined: ConfinedRegions): Word {
  const wantAt = Number(args[0]);
  const statAt = Number(args[1]);
  // The table's checks confined [want, +8) and [st, +sizeof(struct stat)).
  const wantRegion = confined[0] ?? memory.find(wantAt, 8);
  const statRegion = confined[1] ?? memory.find(statAt, STRUCT_SIZES.stat);
  if (wantRegion === null || statRegion === null) return -EFAULT;
  const at = statAt - statRegion.start + STAT_SIZE_OFFSET;
  const size = readWord(statRegion.view, at);
  const done = args[2] as Word;
  const chunk = args[3] as Word;
  let want: Word;
  // Plain numbers for every real file. A negative `done` or `chunk` word is an unsigned value of
  // 2^63 or more; it takes the BigInt path, as do values past 2^53 and a negative st_size.
  if (typeof size === 'number' && size >= 0 && typeof done === 'number' && done >= 0 && typeof chunk === 'number' && chunk >= 0) {
    // A size of 0 is unknown (procfs, sysfs): then every read asks for a whole chunk until one returns 0.
    want = chunk === 0 || (size > 0 && done >= size) ? 0 : size > done ? Math.min(chunk, size - done) : chunk;
  } else {
    // The answer is a word like every atom's result: a chunk of 2^63 or more is a negative one
    // (what the result cell holds, and what the stop flags must test), exact as a number when it fits.
    const big = BigInt.asIntN(64, readSizeBig(toBig(size), BigInt.asUintN(64, toBig(done)), BigInt.asUintN(64, toBig(chunk))));
    want = big <= MAX_SAFE && big >= -MAX_SAFE ? Number(big) : big;
  }
  // Stored even when 0: a chain that reads anyway then asks for nothing rather than a stale count.
  setWord(wantRegion.view, wantAt - wantRegion.start, want);
  return want;
}

/** Implementations by table name. */
export const PRIVATE_IMPLS: Readonly<Record<string, PrivateImpl>> = {
  umem_add: umemAdd,
  umem_add32: umemAdd32,
  aio_status: aioStatus,
  read_size: readSize,
  ...COMPAT_IMPLS,
};
