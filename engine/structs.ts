/**
 * The x86-64 structs a chain passes to the kernel by pointer, declared once as data (the same
 * format compat32 uses for both ABIs), and builders that return their bytes in the kernel's
 * layout: a `sockaddr_in` for connect, a `timespec` for nanosleep, an `iovec` array for readv.
 * test/structs-match-gcc compiles the layouts and the builders' output against the system headers.
 */
import { AF_INET, AF_INET6, AF_UNIX } from './syscalls/constants.generated.js';
import { invalidArgType, invalidArgValue, isUint8Array, outOfRange } from './arguments.js';

/** Where one field lies in a struct. */
export interface FieldLayout {
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Size in bytes (for arrays, the whole array). */
  readonly size: number;
  /**
   * The C member designator when it differs from the field's name, for the oracle (glibc
   * spells some POSIX names as macros into unions, e.g. `si_pid` → `_sifields._kill.si_pid`,
   * which `offsetof` accepts either way; this is only for members with no usable name).
   */
  readonly c?: string;
}

/** A struct on one ABI. */
export interface StructLayout<Field extends string = string> {
  /** The library's name for it (also the key in compat32's `LAYOUTS_I386` / `LAYOUTS_X86_64`). */
  readonly name: string;
  /** The ABI the offsets are for: `'i386'` (`gcc -m32`) or `'x86_64'`. */
  readonly abi: 'i386' | 'x86_64';
  /** The C type the oracle measures, e.g. `struct stat64` or `siginfo_t`. */
  readonly c: string;
  /** sizeof the struct. */
  readonly size: number;
  /** Each field's byte offset and size, by field name. */
  readonly fields: Readonly<Record<Field, FieldLayout>>;
}

/**
 * field - a {@link FieldLayout} literal, for the layout tables (here and in compat32).
 *
 * @param offset - byte offset from the start of the struct.
 * @param size - size in bytes.
 * @param c - the C member designator, only when it differs from the field's name.
 * @returns the layout, without a `c` key when none is given.
 * @example field(8, 8) // { offset: 8, size: 8 }
 */
export const field = (offset: number, size: number, c?: string): FieldLayout => (c === undefined ? { offset, size } : { offset, size, c });

const f = field;

/** x86-64 `struct iovec` (16 bytes). */
export const IOVEC64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'iovec',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct iovec',
  /** sizeof the struct, in bytes. */
  size: 16,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Pointer to the buffer. */
    iov_base: f(0, 8),
    /** The buffer length in bytes. */
    iov_len: f(8, 8),
  },
} as const satisfies StructLayout;

/** x86-64 `struct timespec` (16 bytes). */
export const TIMESPEC64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'timespec',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct timespec',
  /** sizeof the struct, in bytes. */
  size: 16,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Seconds. */
    tv_sec: f(0, 8),
    /** Nanoseconds. */
    tv_nsec: f(8, 8),
  },
} as const satisfies StructLayout;

/** `struct sockaddr_in` (16 bytes): an IPv4 address and port, both in network byte order. */
export const SOCKADDR_IN = {
  /** The library's name for the struct. */
  name: 'sockaddr_in',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct sockaddr_in',
  /** sizeof the struct, in bytes. */
  size: 16,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** AF_INET, host byte order. */
    sin_family: f(0, 2),
    /** The port, network byte order. */
    sin_port: f(2, 2),
    /** The IPv4 address, network byte order. */
    sin_addr: f(4, 4),
    /** Padding, zero. */
    sin_zero: f(8, 8),
  },
} as const satisfies StructLayout;

/** `struct sockaddr_in6` (28 bytes). */
export const SOCKADDR_IN6 = {
  /** The library's name for the struct. */
  name: 'sockaddr_in6',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct sockaddr_in6',
  /** sizeof the struct, in bytes. */
  size: 28,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** AF_INET6, host byte order. */
    sin6_family: f(0, 2),
    /** The port, network byte order. */
    sin6_port: f(2, 2),
    /** The flow information, network byte order. */
    sin6_flowinfo: f(4, 4),
    /** The IPv6 address, 16 bytes. */
    sin6_addr: f(8, 16),
    /** The scope (interface index), host byte order. */
    sin6_scope_id: f(24, 4),
  },
} as const satisfies StructLayout;

/** `struct sockaddr_un` (110 bytes): a Unix-domain socket path. */
export const SOCKADDR_UN = {
  /** The library's name for the struct. */
  name: 'sockaddr_un',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct sockaddr_un',
  /** sizeof the struct, in bytes. */
  size: 110,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** AF_UNIX, host byte order. */
    sun_family: f(0, 2),
    /** The path, NUL-terminated (or, for an abstract name, starting with a NUL). */
    sun_path: f(2, 108),
  },
} as const satisfies StructLayout;

/** The layouts of this module, for the oracle test. */
export const STRUCT_LAYOUTS: readonly StructLayout[] = [IOVEC64, TIMESPEC64, SOCKADDR_IN, SOCKADDR_IN6, SOCKADDR_UN];

/** The 4 bytes of an IPv4 address, network order: dotted text, or a host-order number (`0x7f000001`). */
function ipv4Bytes(address: string | number, name: string): Uint8Array {
  if (typeof address === 'number') {
    if (!Number.isInteger(address) || address < 0 || address > 0xffff_ffff) throw outOfRange(name, '>= 0 && <= 4294967295', address);
    return Uint8Array.of(address >>> 24, (address >>> 16) & 0xff, (address >>> 8) & 0xff, address & 0xff);
  }
  const parts = typeof address === 'string' ? address.split('.') : [];
  const bytes = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : NaN));
  if (bytes.length !== 4 || bytes.some((byte) => !(byte <= 255))) {
    throw invalidArgValue(name, address, 'must be an IPv4 address (a.b.c.d, or a host-order number)');
  }
  return Uint8Array.from(bytes);
}

/** The 16 bytes of an IPv6 address in text form (`2001:db8::1`, `::ffff:10.0.0.1`). */
function ipv6Bytes(address: string, name: string): Uint8Array {
  const refuse = (): Error => invalidArgValue(name, address, 'must be an IPv6 address');
  if (typeof address !== 'string') throw refuse();
  let text = address;
  const words: number[] = [];
  // A trailing dotted IPv4 part stands for the last two 16-bit words.
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  let tail: number[] = [];
  if (dotted?.[1] !== undefined) {
    const v4 = ipv4Bytes(dotted[1], name);
    tail = [((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0)];
    text = text.slice(0, -dotted[1].length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) throw refuse();
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((word) => (/^[0-9a-fA-F]{1,4}$/.test(word) ? parseInt(word, 16) : NaN)));
  const head = parse(halves[0] ?? '');
  const rest = halves.length === 2 ? parse(halves[1] ?? '') : [];
  const given = head.length + rest.length + tail.length;
  if ([...head, ...rest].some(Number.isNaN) || given > 8 || (halves.length === 1 && given !== 8) || (halves.length === 2 && given === 8)) throw refuse();
  words.push(...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail);
  const bytes = new Uint8Array(16);
  words.forEach((word, i) => {
    bytes[2 * i] = word >> 8;
    bytes[2 * i + 1] = word & 0xff;
  });
  return bytes;
}

function port16(port: number, name: string): number {
  if (typeof port !== 'number') throw invalidArgType(name, 'of type number', port);
  if (!Number.isInteger(port) || port < 0 || port > 0xffff) throw outOfRange(name, '>= 0 && <= 65535', port);
  return port;
}

/**
 * sockaddr_in - the bytes of a `struct sockaddr_in` (16), for connect/bind/sendto: AF_INET, the
 * port and the address in network byte order, zero padding.
 *
 * @param address - dotted IPv4 text (`'127.0.0.1'`) or the address as a host-order number.
 * @param port - 0..65535.
 * @returns 16 bytes; pass `16` (or `.length`) as the address length.
 * @throws TypeError ERR_INVALID_ARG_VALUE for an address that is not IPv4; RangeError
 *   ERR_OUT_OF_RANGE for a port outside 0..65535.
 * @example
 * ```ts
 * import { sockaddr_in } from 'syslet-aio';
 * const address = sockaddr_in('127.0.0.1', 8080); // 02 00 1f 90 7f 00 00 01 00 ...
 * ```
 */
export function sockaddr_in(address: string | number, port: number): Uint8Array {
  const bytes = new Uint8Array(SOCKADDR_IN.size);
  const view = new DataView(bytes.buffer);
  view.setUint16(SOCKADDR_IN.fields.sin_family.offset, AF_INET, true);
  view.setUint16(SOCKADDR_IN.fields.sin_port.offset, port16(port, 'port'), false);
  bytes.set(ipv4Bytes(address, 'address'), SOCKADDR_IN.fields.sin_addr.offset);
  return bytes;
}

/**
 * sockaddr_in6 - the bytes of a `struct sockaddr_in6` (28): AF_INET6, the port and flow
 * information in network byte order, the address, the scope id in host byte order.
 *
 * @param address - IPv6 text (`'::1'`, `'2001:db8::1'`, `'::ffff:10.0.0.1'`) or its 16 bytes.
 * @param port - 0..65535.
 * @param flowinfo - the flow label, default 0.
 * @param scopeId - the interface index for a link-local address, default 0.
 * @returns 28 bytes.
 * @throws TypeError ERR_INVALID_ARG_VALUE for an address that is not IPv6; RangeError
 *   ERR_OUT_OF_RANGE for a port outside 0..65535.
 * @example
 * ```ts
 * import { sockaddr_in6 } from 'syslet-aio';
 * const loopback = sockaddr_in6('::1', 443);
 * ```
 */
export function sockaddr_in6(address: string | Uint8Array, port: number, flowinfo = 0, scopeId = 0): Uint8Array {
  const bytes = new Uint8Array(SOCKADDR_IN6.size);
  const view = new DataView(bytes.buffer);
  view.setUint16(SOCKADDR_IN6.fields.sin6_family.offset, AF_INET6, true);
  view.setUint16(SOCKADDR_IN6.fields.sin6_port.offset, port16(port, 'port'), false);
  view.setUint32(SOCKADDR_IN6.fields.sin6_flowinfo.offset, flowinfo >>> 0, false);
  const raw = isUint8Array(address) ? address : ipv6Bytes(address, 'address');
  if (raw.length !== 16) throw invalidArgValue('address', raw, 'must be 16 bytes');
  bytes.set(raw, SOCKADDR_IN6.fields.sin6_addr.offset);
  view.setUint32(SOCKADDR_IN6.fields.sin6_scope_id.offset, scopeId >>> 0, true);
  return bytes;
}

/**
 * sockaddr_un - the bytes of a `struct sockaddr_un` for `path`, as long as the kernel needs
 * them: the family, the path and its NUL (`offsetof(sun_path) + strlen + 1`). A path that starts
 * with a NUL is an abstract name: no NUL is added, every byte counts.
 *
 * @param path - a string (UTF-8) or bytes, at most 107 bytes (108 for an abstract name).
 * @returns 2 + the path's bytes (+ 1); pass `.length` as the address length.
 * @throws RangeError ERR_OUT_OF_RANGE for a path longer than sun_path holds; TypeError
 *   ERR_INVALID_ARG_TYPE for a path that is not a string or a Uint8Array.
 * @example
 * ```ts
 * import { sockaddr_un } from 'syslet-aio';
 * const address = sockaddr_un('/run/app.sock'); // connect(fd, address, address.length)
 * ```
 */
export function sockaddr_un(path: string | Uint8Array): Uint8Array {
  if (typeof path !== 'string' && !isUint8Array(path)) throw invalidArgType('path', 'of type string or an instance of Uint8Array', path);
  const name = typeof path === 'string' ? new TextEncoder().encode(path) : path;
  const abstract = name[0] === 0;
  const room = SOCKADDR_UN.fields.sun_path.size - (abstract ? 0 : 1);
  if (name.length > room || name.length === 0) throw outOfRange('path.length', `>= 1 && <= ${room} (bytes)`, name.length);
  const bytes = new Uint8Array(SOCKADDR_UN.fields.sun_path.offset + name.length + (abstract ? 0 : 1));
  new DataView(bytes.buffer).setUint16(SOCKADDR_UN.fields.sun_family.offset, AF_UNIX, true);
  bytes.set(name, SOCKADDR_UN.fields.sun_path.offset);
  return bytes;
}

/**
 * timespec - the bytes of an x86-64 `struct timespec` (16): seconds and nanoseconds, each a
 * signed 64-bit word, for nanosleep, clock_nanosleep, ppoll.
 *
 * @param seconds - whole seconds (a number or a bigint).
 * @param nanoseconds - 0..999 999 999.
 * @returns 16 bytes.
 * @throws RangeError ERR_OUT_OF_RANGE for nanoseconds outside 0..999 999 999 or a fraction;
 *   TypeError ERR_INVALID_ARG_TYPE for seconds that are not a number or a bigint.
 * @example
 * ```ts
 * import { timespec } from 'syslet-aio';
 * const tenMs = timespec(0, 10_000_000);
 * ```
 */
export function timespec(seconds: number | bigint, nanoseconds = 0): Uint8Array {
  if (typeof seconds !== 'number' && typeof seconds !== 'bigint') throw invalidArgType('seconds', 'of type number or bigint', seconds);
  if (typeof nanoseconds !== 'number') throw invalidArgType('nanoseconds', 'of type number', nanoseconds);
  if (!Number.isInteger(nanoseconds) || nanoseconds < 0 || nanoseconds > 999_999_999) throw outOfRange('nanoseconds', '>= 0 && <= 999999999', nanoseconds);
  if (typeof seconds === 'number' && !Number.isSafeInteger(seconds)) throw outOfRange('seconds', 'a safe integer', seconds);
  const bytes = new Uint8Array(TIMESPEC64.size);
  const view = new DataView(bytes.buffer);
  view.setBigInt64(TIMESPEC64.fields.tv_sec.offset, BigInt(seconds), true);
  view.setBigInt64(TIMESPEC64.fields.tv_nsec.offset, BigInt(nanoseconds), true);
  return bytes;
}

/** One buffer of an {@link iovec} array: its address (in engine memory) and length. */
export interface IovecEntry {
  /** The buffer's address, e.g. `region.start + 4096`. */
  readonly base: number | bigint;
  /** Its length in bytes. */
  readonly length: number | bigint;
}

/**
 * iovec - the bytes of an x86-64 `struct iovec` array (16 bytes per entry), for readv/writev and
 * the p*v2 calls. The addresses must be in engine memory for a chain to use them.
 *
 * @param entries - the buffers, in order.
 * @returns 16 × entries bytes.
 * @throws RangeError ERR_OUT_OF_RANGE for a negative or fractional base or length; TypeError
 *   ERR_INVALID_ARG_TYPE for entries that are not an array of { base, length } numbers or bigints.
 * @example
 * ```ts
 * import { iovec } from 'syslet-aio';
 * const vector = iovec([{ base: region.start, length: 4096 }, { base: region.start + 4096, length: 4096 }]);
 * ```
 */
export function iovec(entries: readonly IovecEntry[]): Uint8Array {
  if (!Array.isArray(entries)) throw invalidArgType('entries', 'an instance of Array', entries);
  const bytes = new Uint8Array(entries.length * IOVEC64.size);
  const view = new DataView(bytes.buffer);
  entries.forEach((entry: unknown, i) => {
    if (typeof entry !== 'object' || entry === null) throw invalidArgType(`entries[${i}]`, 'of type object ({ base, length })', entry);
    const { base, length } = entry as IovecEntry;
    for (const [field, value] of [['base', base], ['length', length]] as const) {
      if (typeof value !== 'number' && typeof value !== 'bigint') throw invalidArgType(`entries[${i}].${field}`, 'of type number or bigint', value);
      if (typeof value === 'number' ? !Number.isSafeInteger(value) || value < 0 : value < 0n) throw outOfRange(`entries[${i}].${field}`, 'a non-negative integer', value);
    }
    view.setBigUint64(i * IOVEC64.size + IOVEC64.fields.iov_base.offset, BigInt(base), true);
    view.setBigUint64(i * IOVEC64.size + IOVEC64.fields.iov_len.offset, BigInt(length), true);
  });
  return bytes;
}
