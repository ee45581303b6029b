/**
 * Field-by-field conversions of the structs whose layout differs between i386 and x86-64, driven
 * by the layouts in layouts.ts. Each "in" function fills a 64-bit struct from a 32-bit one; each
 * "out" function writes a 64-bit struct back into its 32-bit form, truncating wide fields the way
 * the kernel's compat layer does (cp_stat64, put_old_timespec32).
 */
import {
  IOVEC32, IOVEC64, MSGHDR32, MSGHDR64, SIGINFO32, SIGINFO64, STAT64, STAT64_32, TIMESPEC32, TIMESPEC64, type FieldLayout,
} from './layouts.js';

/** A place in memory: a DataView and the byte offset of the struct in it. */
export interface At {
  readonly view: DataView;
  readonly offset: number;
}

/** How a value is widened from 32 to 64 bits. */
export type Widen = 'zero' | 'sign';

function get(at: At, field: FieldLayout, widen: Widen = 'zero'): bigint {
  const offset = at.offset + field.offset;
  switch (field.size) {
    case 4:
      return widen === 'sign' ? BigInt(at.view.getInt32(offset, true)) : BigInt(at.view.getUint32(offset, true));
    case 8:
      return widen === 'sign' ? at.view.getBigInt64(offset, true) : at.view.getBigUint64(offset, true);
    default:
      throw new RangeError(`field of ${field.size} bytes is not a scalar`);
  }
}

function put(at: At, field: FieldLayout, value: bigint): void {
  const offset = at.offset + field.offset;
  if (field.size === 4) at.view.setUint32(offset, Number(BigInt.asUintN(32, value)), true);
  else if (field.size === 8) at.view.setBigUint64(offset, BigInt.asUintN(64, value), true);
  else throw new RangeError(`field of ${field.size} bytes is not a scalar`);
}

/** Copies the named fields from one layout to another, widening (or truncating) each. */
function copyFields<F extends string>(
  from: At, fromFields: Readonly<Record<F, FieldLayout>>, to: At, toFields: Readonly<Record<F, FieldLayout>>, names: readonly F[], signed: ReadonlySet<string>,
): void {
  for (const name of names) put(to, toFields[name], get(from, fromFields[name], signed.has(name) ? 'sign' : 'zero'));
}

/** One 32-bit iovec, as read for validation and conversion. */
export interface Iovec32 {
  readonly base: number;
  readonly length: number;
}

/** readIovecs32 - the `count` 32-bit iovecs at `at`. */
export function readIovecs32(at: At, count: number): Iovec32[] {
  const iovecs: Iovec32[] = [];
  for (let i = 0; i < count; i++) {
    const entry = { view: at.view, offset: at.offset + i * IOVEC32.size };
    iovecs.push({ base: Number(get(entry, IOVEC32.fields.iov_base)), length: Number(get(entry, IOVEC32.fields.iov_len)) });
  }
  return iovecs;
}

/** writeIovecs64 - 64-bit iovecs (base and length zero-extended) at `at`. */
export function writeIovecs64(at: At, iovecs: readonly Iovec32[]): void {
  iovecs.forEach((iovec, i) => {
    const entry = { view: at.view, offset: at.offset + i * IOVEC64.size };
    put(entry, IOVEC64.fields.iov_base, BigInt(iovec.base));
    put(entry, IOVEC64.fields.iov_len, BigInt(iovec.length));
  });
}

const TIMESPEC_FIELDS = ['tv_sec', 'tv_nsec'] as const;
const TIMESPEC_SIGNED = new Set<string>(TIMESPEC_FIELDS);

/** timespecIn - a 32-bit timespec (time_t and long both signed) as a 64-bit one. */
export function timespecIn(from: At, to: At): void {
  copyFields(from, TIMESPEC32.fields, to, TIMESPEC64.fields, TIMESPEC_FIELDS, TIMESPEC_SIGNED);
}

/** timespecOut - a 64-bit timespec written back as a 32-bit one (seconds truncated, as put_old_timespec32 does). */
export function timespecOut(from: At, to: At): void {
  copyFields(from, TIMESPEC64.fields, to, TIMESPEC32.fields, TIMESPEC_FIELDS, TIMESPEC_SIGNED);
}

const STAT_FIELDS = [
  'st_dev', 'st_mode', 'st_nlink', 'st_uid', 'st_gid', 'st_rdev', 'st_size', 'st_blksize', 'st_blocks',
  'st_atime', 'st_atime_nsec', 'st_mtime', 'st_mtime_nsec', 'st_ctime', 'st_ctime_nsec',
] as const;
const STAT_SIGNED = new Set<string>(['st_size', 'st_atime', 'st_mtime', 'st_ctime']);

/**
 * statIn - pre-fill a 64-bit `struct stat` from a 32-bit `struct stat64`, so that writing it
 * back unchanged (when the atom never ran) leaves the 32-bit struct as it was.
 */
export function statIn(from: At, to: At): void {
  copyFields(from, STAT64_32.fields, to, STAT64.fields, STAT_FIELDS, STAT_SIGNED);
  put(to, STAT64.fields.st_ino, get(from, STAT64_32.fields.st_ino));
}

/** statOut - a 64-bit `struct stat` as the i386 `struct stat64` (cp_stat64: `__st_ino` gets the truncated inode). */
export function statOut(from: At, to: At): void {
  copyFields(from, STAT64.fields, to, STAT64_32.fields, STAT_FIELDS, STAT_SIGNED);
  const ino = get(from, STAT64.fields.st_ino);
  put(to, STAT64_32.fields.st_ino, ino);
  put(to, STAT64_32.fields.__st_ino, ino);
}

const SIGINFO_FIELDS = ['si_signo', 'si_errno', 'si_code', 'si_pid', 'si_uid'] as const;
const SIGINFO_SIGNED = new Set<string>(['si_signo', 'si_errno', 'si_code', 'si_pid']);

/**
 * siginfoIn - a 32-bit siginfo_t as a 64-bit one, for rt_sigqueueinfo. The fields queued
 * signals carry (signo, errno, code, pid, uid, value) move from the 32-bit union at 12 to the
 * 64-bit union at 16; si_timerid/si_overrun share those offsets, so SI_TIMER converts too. The
 * 32-bit sigval is an int or a 32-bit pointer, so it is zero-extended (post_copy_siginfo_from_user32
 * copies si_int into the low half).
 */
export function siginfoIn(from: At, to: At): void {
  copyFields(from, SIGINFO32.fields, to, SIGINFO64.fields, SIGINFO_FIELDS, SIGINFO_SIGNED);
  put(to, SIGINFO64.fields.si_value, get(from, SIGINFO32.fields.si_value));
}

/** The parts of a 32-bit msghdr the converter needs. */
export interface Msghdr32 {
  readonly name: number;
  readonly nameLength: number;
  readonly iov: number;
  readonly iovLength: number;
  readonly control: number;
  readonly controlLength: number;
  readonly flags: number;
}

/** readMsghdr32 - the fields of a 32-bit msghdr. */
export function readMsghdr32(at: At): Msghdr32 {
  const m = MSGHDR32.fields;
  return {
    name: Number(get(at, m.msg_name)), nameLength: Number(get(at, m.msg_namelen)), iov: Number(get(at, m.msg_iov)),
    iovLength: Number(get(at, m.msg_iovlen)), control: Number(get(at, m.msg_control)), controlLength: Number(get(at, m.msg_controllen)),
    flags: Number(get(at, m.msg_flags)),
  };
}

/** writeMsghdr64 - a 64-bit msghdr with the 32-bit one's pointers zero-extended and `iov64` as its iovec array. */
export function writeMsghdr64(at: At, header: Msghdr32, iov64: number): void {
  const m = MSGHDR64.fields;
  put(at, m.msg_name, BigInt(header.name));
  put(at, m.msg_namelen, BigInt(header.nameLength));
  put(at, m.msg_iov, BigInt(iov64));
  put(at, m.msg_iovlen, BigInt(header.iovLength));
  put(at, m.msg_control, BigInt(header.control));
  put(at, m.msg_controllen, BigInt(header.controlLength));
  put(at, m.msg_flags, BigInt(header.flags));
}

/** msghdrOut - the fields recvmsg updates (namelen, controllen, flags) written back into the 32-bit msghdr. */
export function msghdrOut(from: At, to: At): void {
  put(to, MSGHDR32.fields.msg_namelen, get(from, MSGHDR64.fields.msg_namelen));
  put(to, MSGHDR32.fields.msg_controllen, get(from, MSGHDR64.fields.msg_controllen));
  put(to, MSGHDR32.fields.msg_flags, get(from, MSGHDR64.fields.msg_flags));
}
