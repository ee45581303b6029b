/**
 * Struct arguments: the pointer arguments whose target has a different layout on i386 (the
 * table's i386Shape.structs). Each gets a 64-bit copy in the conversion's engine memory, filled
 * from the 32-bit struct at conversion time and, for out-structs, converted back by writeBack.
 * Out-structs are pre-filled from their 32-bit contents too, so an atom that never ran (its
 * chain stopped earlier) writes back exactly what was there.
 */
import type { ArgSpec } from '../engine/syscalls/types.js';
import { contains32, type Space32 } from './arena.js';
import type { CellAllocator, Cell, UseSite } from './cells.js';
import type { ArgRule } from './arg-rule.js';
import { ConversionError, hex32 } from './errors.js';
import { IOVEC32, IOVEC64, MSGHDR32, MSGHDR64, SIGINFO32, SIGINFO64, STAT64, STAT64_32, TIMESPEC32, TIMESPEC64 } from './layouts.js';
import {
  msghdrOut, readIovecs32, readMsghdr32, siginfoIn, statIn, statOut, timespecIn, timespecOut, writeIovecs64, writeMsghdr64,
  type At, type Iovec32,
} from './structs.js';

/** The kernel's UIO_MAXIOV: the most iovecs one call takes. */
export const IOV_MAX = 1024;

/** A 64-bit struct copy: where it lives, how it is filled, and how (if at all) it is written back. */
export interface StructPlan {
  /** Offset in the conversion's engine memory. */
  readonly offset: number;
  /** Fills the 64-bit copy from 32-bit memory (`start` is the engine memory's address). */
  readonly fill: (at: At, start: number, space: Space32) => void;
  /** Converts the 64-bit copy back into 32-bit memory, or null for in-only structs. */
  readonly back: ((at: At, space: Space32) => void) | null;
}

/** What {@link buildStructArg} made. */
export interface BuiltStructArg {
  /** The argument cell: the 64-bit struct's address, or 0 for a NULL pointer. */
  readonly cell: Cell;
  readonly rule: ArgRule;
  readonly plan: StructPlan | null;
}

const at32 = (space: Space32, address: number): At => ({ view: space.view, offset: address - space.base });

function checkIovecs(space: Space32, address: number, count: number, site: UseSite): Iovec32[] {
  if (count > IOV_MAX) throw new ConversionError(site.atomIndex, site.atomAddress, site.field, 'E2BIG', `${count} iovecs, more than IOV_MAX (${IOV_MAX})`);
  if (count === 0) return [];
  if (!contains32(space, address, count * IOVEC32.size)) {
    throw new ConversionError(site.atomIndex, site.atomAddress, site.field, 'EFAULT', `iovec array ${hex32(address)} x ${count} lies outside the 32-bit memory`);
  }
  const iovecs = readIovecs32(at32(space, address), count);
  iovecs.forEach((iovec, i) => {
    if (iovec.length > 0 && !contains32(space, iovec.base, iovec.length)) {
      throw new ConversionError(site.atomIndex, site.atomAddress, `${site.field} → iov[${i}].iov_base`, 'EFAULT', `buffer ${hex32(iovec.base)} (${iovec.length} bytes) lies outside the 32-bit memory`);
    }
  });
  return iovecs;
}

/**
 * buildStructArg - plan the 64-bit copy of one struct argument.
 *
 * @param kind - which struct (from the table's i386Shape.structs).
 * @param arg - the 64-bit argument's spec (direction, nullability).
 * @param value - the 32-bit pointer.
 * @param count - for iovec arrays: the iovec count as converted.
 * @param space - the 32-bit memory.
 * @param cells - where the copy and its pointer cell are reserved.
 * @param site - the atom and field, for errors.
 * @returns the argument cell and the plan.
 * @throws ConversionError: EFAULT (struct or buffer outside the 32-bit memory), E2BIG (more than
 *   IOV_MAX iovecs), EINVAL (msghdr with control data, which compat32 does not convert).
 */
export function buildStructArg(
  kind: 'iovec' | 'timespec' | 'stat64' | 'siginfo' | 'msghdr', arg: ArgSpec & { kind: 'ptr' }, value: number, count: number,
  space: Space32, cells: CellAllocator, site: UseSite,
): BuiltStructArg {
  if (value === 0) return { cell: cells.constant(0n), rule: 'null', plan: null };
  const outward = arg.dir !== 'in';
  const need = (size: number): void => {
    if (!contains32(space, value, size)) {
      throw new ConversionError(site.atomIndex, site.atomAddress, site.field, 'EFAULT', `${kind} ${hex32(value)} (${size} bytes) lies outside the 32-bit memory`);
    }
  };
  const place = (size: number, fill: StructPlan['fill'], back: StructPlan['back'], rule: ArgRule): BuiltStructArg => {
    const offset = cells.reserve(size);
    return { cell: cells.constant(BigInt(offset), true), rule, plan: { offset, fill, back } };
  };
  switch (kind) {
    case 'iovec': {
      const iovecs = checkIovecs(space, value, count, site);
      return place(Math.max(iovecs.length * IOVEC64.size, 8), (to) => writeIovecs64(to, iovecs), null, 'iovec array');
    }
    case 'timespec':
      need(TIMESPEC32.size);
      return place(TIMESPEC64.size, (to, _start, from) => timespecIn(at32(from, value), to), outward ? (from, to) => timespecOut(from, at32(to, value)) : null, 'timespec');
    case 'stat64':
      need(STAT64_32.size);
      return place(STAT64.size, (to, _start, from) => statIn(at32(from, value), to), (from, to) => statOut(from, at32(to, value)), 'stat64');
    case 'siginfo':
      need(SIGINFO32.size);
      return place(SIGINFO64.size, (to, _start, from) => siginfoIn(at32(from, value), to), null, 'siginfo');
    case 'msghdr': {
      need(MSGHDR32.size);
      const header = readMsghdr32(at32(space, value));
      if (header.control !== 0 && header.controlLength > 0) {
        throw new ConversionError(site.atomIndex, site.atomAddress, site.field, 'EINVAL', 'msghdr control messages (cmsg) are not converted by compat32');
      }
      if (header.name !== 0 && header.nameLength > 0 && !contains32(space, header.name, header.nameLength)) {
        throw new ConversionError(site.atomIndex, site.atomAddress, `${site.field} → msg_name`, 'EFAULT', `${hex32(header.name)} lies outside the 32-bit memory`);
      }
      const iovecs = checkIovecs(space, header.iov, header.iovLength, site);
      return place(
        MSGHDR64.size + iovecs.length * IOVEC64.size,
        (to, start) => {
          writeMsghdr64(to, header, iovecs.length === 0 ? 0 : start + to.offset + MSGHDR64.size);
          writeIovecs64({ view: to.view, offset: to.offset + MSGHDR64.size }, iovecs);
        },
        outward ? (from, to) => msghdrOut(from, at32(to, value)) : null,
        'msghdr',
      );
    }
  }
}
