import { SysletError } from '../engine/errors.js';

/**
 * The typed errors of compat32 (both {@link SysletError}s: `code` the errno name, `errno` the
 * number with Node's sign, negative, `errnum` positive). A bad 32-bit image or chain never crashes and never reaches the
 * engine: the converter throws a {@link ConversionError} that says which atom, which address,
 * which field and which errno a kernel would have answered.
 */

/** Hex spelling of a 32-bit address, for messages and tables. */
export function hex32(value: number): string {
  return `0x${(value >>> 0).toString(16).padStart(8, '0')}`;
}

/**
 * ConversionError - a 32-bit image or chain that cannot be converted.
 *
 * Fields:
 * - `atomIndex`: the atom's index in reading order (0 = the entry atom), or -1 when the problem
 *   is with the image itself rather than an atom;
 * - `address`: the 32-bit address at fault (the atom's, or the image base);
 * - `field`: what was wrong: `'next'`, `'ret_ptr'`, `'arg_ptr[2]'`, `'nr'`, `'image.length'`...;
 * - `code`: the errno name the kernel's compat layer would have returned (`'EFAULT'` for a
 *   pointer outside the arena, `'ENOSYS'` for an unknown syscall, `'E2BIG'` for an over-long
 *   chain, `'EINVAL'` for a misaligned or overlapping atom, `'ENOEXEC'` for a malformed image);
 *   `errno` is its number, negative as in Node.js (`-14` for EFAULT).
 *
 * @example
 * ```ts
 * try { convertChain(arena, engine.memory, image.entry); }
 * catch (error) { if (error instanceof ConversionError) console.error(error.field, error.code); }
 * ```
 */
export class ConversionError extends SysletError {
  /** The atom's index in reading order (0 = the entry atom), or -1 for a problem with the image itself. */
  readonly atomIndex: number;
  /** The 32-bit address at fault (the atom's, or the image base). */
  readonly address: number;
  /** What was wrong, e.g. `'next'`, `'ret_ptr'`, `'arg_ptr[2]'`, `'nr'`, `'image.length'`. */
  readonly field: string;

  /** @param code - the errno name (`'EFAULT'`). */
  constructor(atomIndex: number, address: number, field: string, code: string, detail: string) {
    const where = atomIndex >= 0 ? `atom #${atomIndex} at ${hex32(address)}` : `image at ${hex32(address)}`;
    super(code, `compat32: ${where}, ${field}: ${detail} (${code})`);
    this.name = 'ConversionError';
    this.atomIndex = atomIndex;
    this.address = address;
    this.field = field;
  }
}

/**
 * ArenaError - the low 4 GiB mapping for a 32-bit address space could not be made.
 * `code` is the name mmap answered (EEXIST: the range is taken; ENOMEM: no low space; EINVAL:
 * a base that is not page-aligned or would cross 4 GiB), `errno` its negative number.
 */
export class ArenaError extends SysletError {
  /** The requested base address, or 0 when any low address would do. */
  readonly base: number;

  /** @param code - the errno name mmap answered (`'EEXIST'`). */
  constructor(base: number, size: number, code: string) {
    super(code, `compat32: cannot map ${size} bytes at ${base === 0 ? 'any low address' : hex32(base)} below 4 GiB (${code})`);
    this.name = 'ArenaError';
    this.base = base;
  }
}
