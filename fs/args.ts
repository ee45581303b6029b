/**
 * Arguments as node:fs/promises reads them — or `undefined`, meaning "let Node read them".
 *
 * syslet-aio/fs never re-implements Node's argument validation and its error messages. Each
 * function takes its fast path only for arguments it understands completely (a string, Buffer
 * or file: URL path without NUL bytes; a known flag; a valid encoding; an AbortSignal...). Any
 * other argument sends the whole call to node:fs/promises, which then throws exactly the error a
 * Node user expects (ERR_INVALID_ARG_TYPE, ERR_INVALID_ARG_VALUE...) or does what it does for
 * inputs this layer does not serve (async iterables, unusual options).
 */
import { fileURLToPath } from 'node:url';
import { viewBytes } from '../engine/view-getters.js';
import { O_APPEND, O_CREAT, O_EXCL, O_RDONLY, O_RDWR, O_SYNC, O_TRUNC, O_WRONLY } from '../engine/syscalls/constants.generated.js';

/** A path the fast path can use: what Node would pass to the kernel, and what it shows in errors. */
export type FastPath = string | Uint8Array;

/**
 * fastPath - a path argument Node would accept as it is: a string or Uint8Array without NUL (a
 * Uint8Array as a new view of the bytes it really holds), or a file: URL (converted as Node
 * converts it).
 *
 * @returns the path, or undefined (Node must validate it: delegate).
 */
export function fastPath(value: unknown): FastPath | undefined {
  if (typeof value === 'string') return value.includes('\0') ? undefined : value;
  if (value instanceof Uint8Array) {
    // A Proxy of one passes instanceof but is no view: Node refuses it (ERR_INVALID_ARG_TYPE).
    if (!ArrayBuffer.isView(value)) return undefined;
    // The bytes the view holds, whatever its own `length` says: a Buffer whose length property
    // claimed fewer bytes named a shorter path — another file (hunt28), where Node's binding
    // reads the view's real bytes.
    const bytes = viewBytes(value);
    return bytes.includes(0) ? undefined : bytes;
  }
  if (value instanceof URL) {
    if (value.protocol !== 'file:') return undefined;
    try {
      const converted = fileURLToPath(value);
      return converted.includes('\0') ? undefined : converted;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

const FLAGS: Readonly<Record<string, number>> = {
  r: O_RDONLY, rs: O_RDONLY | O_SYNC, sr: O_RDONLY | O_SYNC,
  'r+': O_RDWR, 'rs+': O_RDWR | O_SYNC, 'sr+': O_RDWR | O_SYNC,
  w: O_TRUNC | O_CREAT | O_WRONLY, wx: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL, xw: O_TRUNC | O_CREAT | O_WRONLY | O_EXCL,
  'w+': O_TRUNC | O_CREAT | O_RDWR, 'wx+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL, 'xw+': O_TRUNC | O_CREAT | O_RDWR | O_EXCL,
  a: O_APPEND | O_CREAT | O_WRONLY, ax: O_APPEND | O_CREAT | O_WRONLY | O_EXCL, xa: O_APPEND | O_CREAT | O_WRONLY | O_EXCL,
  as: O_APPEND | O_CREAT | O_WRONLY | O_SYNC, sa: O_APPEND | O_CREAT | O_WRONLY | O_SYNC,
  'a+': O_APPEND | O_CREAT | O_RDWR, 'ax+': O_APPEND | O_CREAT | O_RDWR | O_EXCL, 'xa+': O_APPEND | O_CREAT | O_RDWR | O_EXCL,
  'as+': O_APPEND | O_CREAT | O_RDWR | O_SYNC, 'sa+': O_APPEND | O_CREAT | O_RDWR | O_SYNC,
};

/**
 * fastFlags - Node's stringToFlags for the values it accepts: an int32, null/undefined (read
 * only), or one of its flag strings.
 *
 * @returns the open(2) flags, or undefined (delegate).
 */
export function fastFlags(flags: unknown): number | undefined {
  if (flags === undefined || flags === null) return O_RDONLY;
  if (typeof flags === 'number') return Number.isInteger(flags) && flags >= -(2 ** 31) && flags < 2 ** 31 ? flags : undefined;
  if (typeof flags === 'string') return Object.hasOwn(FLAGS, flags) ? FLAGS[flags] : undefined;
  return undefined;
}

/**
 * fastMode - Node's parseFileMode: a uint32, an octal string, or the default when undefined.
 *
 * @returns the mode, or undefined (delegate).
 */
export function fastMode(mode: unknown, fallback: number): number | undefined {
  if (mode === undefined) return fallback;
  if (typeof mode === 'number') return Number.isInteger(mode) && mode >= 0 && mode <= 0xffffffff ? mode : undefined;
  if (typeof mode === 'string' && /^[0-7]+$/.test(mode)) {
    const value = parseInt(mode, 8);
    return value <= 0xffffffff ? value : undefined;
  }
  return undefined;
}

/** An options object as Node's getOptions leaves it. */
export type Options = Readonly<Record<string, unknown>>;

const EMPTY: Options = Object.freeze({});

/**
 * fastOptions - Node's getOptions: null, undefined and functions mean the defaults; a string is
 * the encoding; an object is used as it is once its encoding (unless 'buffer') and signal check.
 *
 * @returns the options, or undefined (delegate).
 */
export function fastOptions(options: unknown, defaults: Options = EMPTY): Options | undefined {
  if (options === null || options === undefined || typeof options === 'function') return defaults;
  let result: Options;
  if (typeof options === 'string') result = { ...defaults, encoding: options };
  else if (typeof options === 'object') result = options as Options;
  else return undefined;
  const encoding = result.encoding;
  if (encoding !== 'buffer' && encoding !== undefined && encoding !== null && encoding !== '' && !(typeof encoding === 'string' && Buffer.isEncoding(encoding))) return undefined;
  if (!isSignalOption(result.signal)) return undefined;
  return result;
}

/** Node's validateAbortSignal: undefined, or an object with an `aborted` property. */
export function isSignalOption(signal: unknown): signal is AbortSignal | undefined {
  return signal === undefined || (typeof signal === 'object' && signal !== null && 'aborted' in signal);
}

/** The encoding to decode with, when an options object asks for one (falsy: a Buffer). */
export function encodingOf(options: Options): BufferEncoding | undefined {
  const encoding = options.encoding;
  return typeof encoding === 'string' && encoding !== '' ? (encoding as BufferEncoding) : undefined;
}

/** The `signal` of an options object that {@link fastOptions} accepted. */
export function signalOf(options: Options): AbortSignal | undefined {
  return options.signal as AbortSignal | undefined;
}
