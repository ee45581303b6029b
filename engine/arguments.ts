/**
 * Argument checks that speak as Node.js does. A wrong argument is the caller's bug, not an errno:
 * it is a TypeError or RangeError with Node's `code` (`ERR_INVALID_ARG_TYPE`, `ERR_OUT_OF_RANGE`,
 * `ERR_INVALID_ARG_VALUE`, `ERR_INVALID_URL_SCHEME`) and Node's message, naming the argument, so
 * a mistake reads the same whether it was made against `node:fs` or against this library. The
 * same module accepts the values Node accepts where an fd, a path or a position is expected: a
 * FileHandle for an fd, a `file:` URL for a path, `null` (or -1) for "the current file position".
 */
import { fileURLToPath } from 'node:url';
import { inspect, types } from 'node:util';
import { viewBytes } from './view-getters.js';

/** A TypeError or RangeError carrying Node's error code, as `node:fs` throws them. */
export type NodeArgumentError = (TypeError | RangeError) & { readonly code: string };

/**
 * Between a coded error and its class's prototype, as Node's own errors have one (an instance of
 * TypeError whose prototype is not TypeError.prototype): `toString` prints the code after the
 * name, `TypeError [ERR_INVALID_ARG_TYPE]: ...`, as `String(error)` does for Node's.
 */
function codedPrototype(base: object): object {
  return Object.create(base, {
    toString: {
      value(this: Error & { code?: unknown }): string {
        return `${this.name} [${String(this.code)}]: ${this.message}`;
      },
      writable: true,
      configurable: true,
    },
  }) as object;
}
const CODED_PROTOTYPES = new Map<object, object>([
  [TypeError.prototype, codedPrototype(TypeError.prototype)],
  [RangeError.prototype, codedPrototype(RangeError.prototype)],
]);

function withCode<E extends Error>(error: E, code: string): E & { readonly code: string } {
  Object.defineProperty(error, 'code', { value: code, enumerable: true, configurable: true, writable: true });
  // Node shows the code in the name when printed: `TypeError [ERR_INVALID_ARG_TYPE]: ...`, in
  // String(error) and on the first line of the stack.
  const coded = CODED_PROTOTYPES.get(Object.getPrototypeOf(error) as object);
  if (coded !== undefined) Object.setPrototypeOf(error, coded);
  const head = `${error.name}: `;
  if (typeof error.stack === 'string' && error.stack.startsWith(head)) error.stack = `${error.name} [${code}]: ${error.stack.slice(head.length)}`;
  return error as E & { readonly code: string };
}

// Node's own wording of what it received (lib/internal/errors.js, determineSpecificType).
function received(value: unknown): string {
  if (value === null || value === undefined) return `Received ${String(value)}`;
  if (typeof value === 'function') return `Received function ${value.name}`;
  if (typeof value === 'object') {
    const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `Received an instance of ${name}` : `Received ${inspect(value, { depth: -1 })}`;
  }
  let shown = inspect(value, { colors: false });
  if (shown.length > 28) shown = `${shown.slice(0, 25)}...`;
  return `Received type ${typeof value} (${shown})`;
}

// Node groups the digits of a large received number: 9_007_199_254_740_992.
function grouped(value: number | bigint): string {
  const text = String(value);
  const big = typeof value === 'bigint' ? value > 2n ** 32n || value < -(2n ** 32n) : Number.isInteger(value) && Math.abs(value) > 2 ** 32;
  if (!big) return text;
  const sign = text.startsWith('-') ? '-' : '';
  const digits = sign === '' ? text : text.slice(1);
  return `${sign}${digits.replace(/\B(?=(\d{3})+(?!\d))/g, '_')}`;
}

/**
 * invalidArgType - Node's ERR_INVALID_ARG_TYPE.
 *
 * @param name - the argument, as the caller knows it (`'fd'`, `'options.signal'`).
 * @param expected - what it must be, in Node's words (`'of type number or an instance of FileHandle'`).
 * @param value - what was given.
 * @returns the TypeError (not thrown).
 * @example
 * ```ts
 * throw invalidArgType('fd', 'of type number', 'x'); // The "fd" argument must be of type number. Received type string ('x')
 * ```
 */
export function invalidArgType(name: string, expected: string, value: unknown): NodeArgumentError {
  const what = name.includes('.') ? 'property' : 'argument';
  return withCode(new TypeError(`The "${name}" ${what} must be ${expected}. ${received(value)}`), 'ERR_INVALID_ARG_TYPE');
}

/**
 * outOfRange - Node's ERR_OUT_OF_RANGE.
 *
 * @param name - the argument.
 * @param range - the rule, in Node's words (`'>= 0 && <= 2147483647'`, `'an integer'`).
 * @param value - what was given.
 * @returns the RangeError (not thrown).
 */
export function outOfRange(name: string, range: string, value: number | bigint): NodeArgumentError {
  const shown = typeof value === 'bigint' ? `${grouped(value)}n` : grouped(value);
  return withCode(new RangeError(`The value of "${name}" is out of range. It must be ${range}. Received ${shown}`), 'ERR_OUT_OF_RANGE');
}

/**
 * invalidState - Node's ERR_INVALID_STATE: the call is not allowed in the object's state (a
 * FileHandle closed, closing, or already lent to a web stream).
 *
 * @param message - the state, in Node's words (`'The FileHandle is closed'`).
 * @returns the Error (not thrown): `Invalid state: <message>`.
 */
export function invalidState(message: string): Error & { readonly code: string } {
  return withCode(new Error(`Invalid state: ${message}`), 'ERR_INVALID_STATE');
}

/**
 * invalidArgValue - Node's ERR_INVALID_ARG_VALUE: the type is right, the value is not.
 *
 * @param name - the argument.
 * @param value - what was given.
 * @param reason - why, in Node's words (`'must be a string, Uint8Array, or URL without null bytes'`).
 * @returns the TypeError (not thrown).
 */
export function invalidArgValue(name: string, value: unknown, reason: string): NodeArgumentError {
  return withCode(new TypeError(`The argument '${name}' ${reason}. Received ${inspect(value)}`), 'ERR_INVALID_ARG_VALUE');
}

/**
 * The part of a `node:fs/promises` FileHandle this library uses: its descriptor. (A closed
 * FileHandle's `fd` is -1, which the calls answer with EBADF, as Node's own would.)
 */
export interface FileHandleLike {
  /** The numeric file descriptor the handle wraps. */
  readonly fd: number;
  /** Closes the handle. Present on every FileHandle; checked so that any `{ fd }` object is not taken for one. */
  close(): Promise<void>;
}

/** isFileHandle - whether `value` looks like a `node:fs/promises` FileHandle (an `fd` number and a `close` method). */
export function isFileHandle(value: unknown): value is FileHandleLike {
  if (typeof value !== 'object' || value === null) return false;
  const handle = value as Partial<Record<'fd' | 'close', unknown>>;
  return typeof handle.fd === 'number' && typeof handle.close === 'function';
}

/**
 * fdOf - the descriptor an fd argument stands for: a 32-bit integer as given (a negative one is
 * left to the call, which answers EBADF as the POSIX function would), or a FileHandle's `fd`.
 *
 * @param value - an fd or a FileHandle.
 * @param name - the argument's name, for the error.
 * @returns the descriptor.
 * @throws TypeError ERR_INVALID_ARG_TYPE for anything else; RangeError ERR_OUT_OF_RANGE for a
 *   number that is not a 32-bit integer.
 * @example
 * ```ts
 * const fd = fdOf(await open('data.bin'), 'fd');
 * ```
 */
export function fdOf(value: unknown, name = 'fd'): number {
  // The usual argument first: an int32 is its own answer (the checks below all pass for it).
  if (typeof value === 'number' && (value | 0) === value) return value;
  if (isFileHandle(value)) return value.fd;
  if (typeof value !== 'number') throw invalidArgType(name, 'of type number or an instance of FileHandle', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < -0x8000_0000 || value > 0x7fff_ffff) throw outOfRange(name, '>= -2147483648 && <= 2147483647', value);
  return value;
}

/**
 * isUint8Array - whether `value` is a Uint8Array (a Buffer included) of any realm: one made in a
 * node:vm context (Jest's test environments) fails `instanceof Uint8Array` here, and Node's own
 * checks (util.types) take it, so ours do too (hunt25).
 *
 * @param value - anything.
 * @returns true for a Uint8Array or Buffer of this or another realm.
 * @example isUint8Array(vm.runInNewContext('new Uint8Array(2)')) === true;
 */
export function isUint8Array(value: unknown): value is Uint8Array {
  return types.isUint8Array(value);
}

/**
 * pathOf - the path a path argument stands for, as `node:fs` reads one: a string, a Buffer or
 * other Uint8Array (bytes, not decoded), or a `file:` URL (converted with `fileURLToPath`).
 *
 * @param value - the path.
 * @param name - the argument's name, for the error.
 * @returns a string or the bytes (a new view of the ones a Uint8Array holds), never containing a NUL.
 * @throws TypeError ERR_INVALID_ARG_TYPE for another type, ERR_INVALID_URL_SCHEME for a URL that
 *   is not `file:`, ERR_INVALID_ARG_VALUE for a path with a NUL byte (the kernel would silently
 *   cut it there).
 * @example
 * ```ts
 * pathOf(new URL('file:///etc/hostname')) === '/etc/hostname';
 * ```
 */
export function pathOf(value: unknown, name = 'path'): string | Uint8Array {
  let path: string | Uint8Array;
  if (typeof value === 'string') path = value;
  // The bytes the view holds, whatever its own properties say: a `length` that lies named a
  // shorter path, another file (hunt28, in syslet-aio/fs).
  else if (isUint8Array(value)) path = viewBytes(value);
  else if (value instanceof URL) {
    if (value.protocol !== 'file:') throw withCode(new TypeError('The URL must be of scheme file'), 'ERR_INVALID_URL_SCHEME');
    path = fileURLToPath(value);
  } else {
    throw invalidArgType(name, 'of type string or an instance of Buffer or URL', value);
  }
  if (typeof path === 'string' ? path.includes('\0') : path.includes(0)) {
    throw invalidArgValue(name, path, 'must be a string, Uint8Array, or URL without null bytes');
  }
  return path;
}

/**
 * positionOf - a read or write position as Node's `fs.read`/`fs.write` take it: a non-negative
 * integer or bigint is an offset; `null`, `undefined` and -1 mean the file's current position.
 *
 * @param value - the position.
 * @param name - the argument's name, for the error.
 * @returns the offset, or null for "the current position".
 * @throws TypeError ERR_INVALID_ARG_TYPE for another type; RangeError ERR_OUT_OF_RANGE for a
 *   fraction, a value below -1, or one past 2^53 - 1 (a bigint: past 2^63 - 1).
 * @example
 * ```ts
 * positionOf(null) === null; positionOf(4096) === 4096;
 * ```
 */
export function positionOf(value: unknown, name = 'position'): number | bigint | null {
  // The usual argument first: an offset of 0 .. 2^31-1 is its own answer.
  if (typeof value === 'number' && (value | 0) === value && value >= 0) return value;
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') {
    if (value < -1n || value > 2n ** 63n - 1n) throw outOfRange(name, '>= -1 && <= 9223372036854775807', value);
    return value === -1n ? null : value;
  }
  if (typeof value !== 'number') throw invalidArgType(name, 'of type bigint or integer', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < -1 || value > Number.MAX_SAFE_INTEGER) throw outOfRange(name, `>= -1 && <= ${Number.MAX_SAFE_INTEGER}`, value);
  return value === -1 ? null : value;
}

/**
 * signalOf - an `options.signal`: undefined, or an AbortSignal.
 *
 * @throws TypeError ERR_INVALID_ARG_TYPE naming `name` for anything else.
 */
export function signalOf(value: unknown, name = 'options.signal'): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw invalidArgType(name, 'an instance of AbortSignal', value);
}

/**
 * optionsOf - an options argument: undefined (no options) or an object.
 *
 * @throws TypeError ERR_INVALID_ARG_TYPE naming `name` for anything else.
 */
export function optionsOf<T extends object>(value: T | undefined | null, name = 'options'): Partial<T> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object') throw invalidArgType(name, 'of type object', value);
  return value;
}
