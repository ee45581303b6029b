/**
 * The 64-bit `struct syslet_uatom` and the syslet flags, exactly as in Ingo Molnar's 2007 ABI
 * (values identical in v1, v3 and Zach Brown's fixed-size ABI):
 *
 * ```c
 * struct syslet_uatom {
 *   unsigned long flags;            // @0
 *   unsigned long nr;               // @8   syscall number
 *   long *ret_ptr;                  // @16  where the one-word result goes
 *   struct syslet_uatom *next;      // @24  NULL ends the chain
 *   unsigned long *arg_ptr[6];      // @32  POINTERS to the arguments, read at execution time
 *   void *private;                  // @80  never touched by the engine
 * };                                // 88 bytes
 * ```
 */

/** Queue asynchronously at once: skip the inline attempt. */
export const SYSLET_ASYNC = 0x01;
/** Never go async, even if running inline blocks the caller. */
export const SYSLET_SYNC = 0x02;
/** Do not post this chain's final atom to the completion ring. */
export const SYSLET_NO_COMPLETE = 0x04;
// The stop flags as this module's own, unexported consts for stopFlagFires: TurboFan folds those
// into the code it compiles, but loads an exported binding from its cell with a hole check at
// every use, and stopFlagFires is inlined into the canned runner's loop for every atom
// (p1atom27, a throwaway build: the canned runner 1,540 -> 1,475 instructions a cached aio_read).
const STOP_NONZERO = 0x08;
const STOP_ZERO = 0x10;
const STOP_NEGATIVE = 0x20;
const STOP_NON_POSITIVE = 0x40;

/** Stop if the just-executed atom's result is not 0. */
export const SYSLET_STOP_ON_NONZERO = STOP_NONZERO;
/** Stop if the result is 0. */
export const SYSLET_STOP_ON_ZERO = STOP_ZERO;
/** Stop if the result is negative (an error). */
export const SYSLET_STOP_ON_NEGATIVE = STOP_NEGATIVE;
/** Stop if the result is 0 or negative. */
export const SYSLET_STOP_ON_NON_POSITIVE = STOP_NON_POSITIVE;
/** The OR of the four stop flags. */
export const SYSLET_STOP_MASK = 0x78;
/** On stop, continue at the atom laid right after this one in memory (address + 88) instead of ending. */
export const SYSLET_SKIP_TO_NEXT_ON_STOP = 0x80;
/** Every defined flag bit; an atom with any other bit set fails with -EINVAL. */
export const SYSLET_VALID_FLAGS = 0xff;

/**
 * stopFlagFires - whether an atom with `flags` stops its chain after answering `value`: one of
 * its STOP_ON_* flags holds for the value (SKIP_TO_NEXT_ON_STOP then says where the chain goes).
 * The one statement of the rule for every executor (the generic walk, a resumed chain, a
 * planned canned chain).
 *
 * @param flags - the atom's flags as read when it ran.
 * @param value - its result: a number, or a bigint past 2^53 (never 0).
 * @returns true when the chain stops here (or skips to the atom laid after this one).
 * @example
 * stopFlagFires(SYSLET_STOP_ON_NEGATIVE, -2); // true
 */
export function stopFlagFires(flags: number, value: number | bigint): boolean {
  const zero = value === 0;
  const negative = value < 0;
  return ((flags & STOP_NONZERO) !== 0 && !zero) ||
    ((flags & STOP_ZERO) !== 0 && zero) ||
    ((flags & STOP_NEGATIVE) !== 0 && negative) ||
    ((flags & STOP_NON_POSITIVE) !== 0 && (negative || zero));
}

/** Byte offsets and size of the 64-bit atom. */
export const ATOM = {
  /** `unsigned long flags`: SYSLET_* bits. */
  flags: 0,
  /** `unsigned long nr`: the x86-64 syscall number. */
  nr: 8,
  /** `long *ret_ptr`: where the one-word result goes; NULL stores it nowhere. */
  ret_ptr: 16,
  /** `struct syslet_uatom *next`: the next atom; NULL ends the chain. */
  next: 24,
  /** `unsigned long *arg_ptr[6]`: six pointers (8 bytes each) to the argument words. */
  arg_ptr: 32,
  /** `void *private`: never touched by the engine. */
  private: 80,
  /** Size of the struct in bytes. */
  size: 88,
} as const;

/** Most arguments a syscall takes. */
export const MAX_ARGS = 6;

/** Why a chain stopped (reported in v2 ring attributes). */
export const STOP = {
  /** `next` was NULL. */
  end: 0,
  /** A STOP_ON_* flag fired (without SKIP_TO_NEXT_ON_STOP). */
  flag: 1,
  /** An address the engine had to dereference lay outside its memory, or a flag word was bad. */
  fault: 2,
  /** The chain ran more atoms than the engine's bound allows. */
  limit: 3,
  /** The engine was closed, or the request cancelled, before the chain finished. */
  cancelled: 4,
  /** The cachemiss thread running it died. */
  died: 5,
} as const;

/** A value of {@link STOP}. */
export type StopReason = (typeof STOP)[keyof typeof STOP];

/** Names of the stop reasons, for reports. */
export const STOP_NAMES: readonly string[] = ['end', 'flag', 'fault', 'limit', 'cancelled', 'died'];
