/**
 * Reading a whole 32-bit chain in one go, as Linus proposed in 2007 ("we read them all in in a
 * single go at startup ... the compat handlers would just convert it when they do the initial
 * copying"): starting at the entry atom, follow `next` and, for atoms that can stop with
 * SYSLET_SKIP_TO_NEXT_ON_STOP, the linearly next atom (+44 bytes), until every reachable atom is
 * known. Loops are fine (an atom is read once); the number of distinct atoms is bounded.
 */
import { SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_MASK, MAX_ARGS } from '../engine/atom.js';
import { syscallByNumber } from '../engine/syscalls/table.js';
import type { SyscallSpec } from '../engine/syscalls/types.js';
import { contains32, type Space32 } from './arena.js';
import { ConversionError, hex32 } from './errors.js';
import { UATOM32 } from './layouts.js';

/**
 * The most distinct atoms one 32-bit chain may have. Conversion reads them all up front into
 * engine memory, so the bound keeps that copy small (256 atoms = 22.5 KiB of 64-bit atoms);
 * loops can still run many more atoms than that at run time, bounded by the engine.
 */
export const MAX_COMPAT32_ATOMS = 256;

/** One 32-bit atom as read from memory. */
export interface Atom32 {
  /** Reading order: 0 is the entry atom. */
  readonly index: number;
  /** The atom's 32-bit address. */
  readonly address: number;
  /** The atom's `flags` word (`SYSLET_*` bits). */
  readonly flags: number;
  /** The i386 syscall number. */
  readonly nr: number;
  /** The table row it translates to. */
  readonly spec: SyscallSpec;
  /** The 32-bit `ret_ptr`: where the result word goes (0 = no result stored). */
  readonly retPtr: number;
  /** The 32-bit address of the next atom (0 ends the chain). */
  readonly next: number;
  /** The six argument pointers (0 = none). */
  readonly argPtrs: readonly number[];
  /** Argument pointers up to the first NULL, as the 2007 copy_uatom() read them. */
  readonly argCount: number;
  /** The atom's `private` word, carried over as is. */
  readonly private: number;
  /** Where SKIP_TO_NEXT_ON_STOP continues (address + 44), or 0 when this atom cannot skip. */
  readonly skipTo: number;
}

/** A whole 32-bit chain. */
export interface Chain32 {
  /** The 32-bit address of the entry (first) atom. */
  readonly entry: number;
  /** Atoms in reading order. */
  readonly atoms: readonly Atom32[];
  /** Atom address → index. */
  readonly indexOf: ReadonlyMap<number, number>;
}

const A = UATOM32.fields;

/**
 * readChain32 - read and check every atom reachable from `entry`.
 *
 * @param space - the 32-bit memory (an arena or an inspected image).
 * @param entry - address of the first atom.
 * @param maxAtoms - bound on distinct atoms (default {@link MAX_COMPAT32_ATOMS}).
 * @returns the chain.
 * @throws ConversionError: EINVAL for an atom not 4-byte aligned or overlapping another, EFAULT
 *   for an atom, `next`, skip target or argument pointer outside `space`, ENOSYS for an i386
 *   number the table does not know, E2BIG for more than `maxAtoms` atoms.
 * @example
 * ```ts
 * const chain = readChain32(arena, image.entry);
 * chain.atoms.map((atom) => atom.spec.name); // ['openat', 'read', 'write', 'close']
 * ```
 */
export function readChain32(space: Space32, entry: number, maxAtoms = MAX_COMPAT32_ATOMS): Chain32 {
  const atoms: Atom32[] = [];
  const indexOf = new Map<number, number>();
  const pending: { address: number; from: number; field: string }[] = [{ address: entry, from: -1, field: 'entry' }];
  while (pending.length > 0) {
    const { address, from, field } = pending.shift() as (typeof pending)[number];
    if (indexOf.has(address)) continue;
    const index = atoms.length;
    // A bad link is the fault of the atom that holds it, so the error names that atom.
    const blame = (errno: string, detail: string): ConversionError =>
      from < 0 ? new ConversionError(index, address, field, errno, detail) : new ConversionError(from, atoms[from]?.address ?? 0, field, errno, detail);
    if (address % 4 !== 0) throw blame('EINVAL', `atom address ${hex32(address)} is not 4-byte aligned`);
    if (!contains32(space, address, UATOM32.size)) throw blame('EFAULT', `atom ${hex32(address)} (44 bytes) lies outside the 32-bit memory [${hex32(space.base)}, ${hex32(space.end)})`);
    if (index >= maxAtoms) throw new ConversionError(index, address, 'next', 'E2BIG', `more than ${maxAtoms} distinct atoms`);
    const atom = decodeAtom(space, address, index);
    atoms.push(atom);
    indexOf.set(address, index);
    if (atom.next !== 0) pending.push({ address: atom.next, from: index, field: 'next' });
    if (atom.skipTo !== 0) pending.push({ address: atom.skipTo, from: index, field: 'flags (SKIP_TO_NEXT_ON_STOP target)' });
  }
  const sorted = [...atoms].sort((a, b) => a.address - b.address);
  for (let i = 1; i < sorted.length; i++) {
    const before = sorted[i - 1] as Atom32;
    const atom = sorted[i] as Atom32;
    if (atom.address < before.address + UATOM32.size) {
      throw new ConversionError(atom.index, atom.address, 'address', 'EINVAL', `overlaps atom #${before.index} at ${hex32(before.address)}`);
    }
  }
  return { entry, atoms, indexOf };
}

function decodeAtom(space: Space32, address: number, index: number): Atom32 {
  const view = space.view;
  const at = address - space.base;
  const word = (offset: number): number => view.getUint32(at + offset, true);
  const flags = word(A.flags.offset);
  const nr = word(A.nr.offset);
  const spec = syscallByNumber(nr, 'i386');
  if (spec === undefined) throw new ConversionError(index, address, 'nr', 'ENOSYS', `i386 syscall ${nr} is not in the syscall table`);
  const argPtrs: number[] = [];
  let argCount = -1;
  for (let i = 0; i < MAX_ARGS; i++) {
    const pointer = word(A.arg_ptr.offset + i * 4);
    argPtrs.push(pointer);
    if (pointer === 0 && argCount < 0) argCount = i;
  }
  if (argCount < 0) argCount = MAX_ARGS;
  for (let i = 0; i < argCount; i++) {
    const pointer = argPtrs[i] as number;
    if (!contains32(space, pointer, 4)) {
      throw new ConversionError(index, address, `arg_ptr[${i}]`, 'EFAULT', `${hex32(pointer)} lies outside the 32-bit memory [${hex32(space.base)}, ${hex32(space.end)})`);
    }
  }
  const retPtr = word(A.ret_ptr.offset);
  if (retPtr !== 0 && !contains32(space, retPtr, 4)) {
    throw new ConversionError(index, address, 'ret_ptr', 'EFAULT', `${hex32(retPtr)} lies outside the 32-bit memory [${hex32(space.base)}, ${hex32(space.end)})`);
  }
  const canSkip = (flags & SYSLET_SKIP_TO_NEXT_ON_STOP) !== 0 && (flags & SYSLET_STOP_MASK) !== 0;
  return {
    index, address, flags, nr, spec, retPtr, next: word(A.next.offset), argPtrs, argCount,
    private: word(A.private.offset), skipTo: canSkip ? address + UATOM32.size : 0,
  };
}
