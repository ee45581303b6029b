/**
 * Helpers for callers who have a path string, not an address: they copy the path into engine
 * memory, run built-in file plugins and hand back plain JavaScript values.
 *
 * They share syslet-aio/fs's request machinery (requests.ts): a bounded window of requests per
 * engine (the rest queue), a pooled slot per request (path buffers and a 64 KiB data area), and a
 * reader that sizes a large file's Buffer from fstat instead of reserving `maxBytes` up front
 * (reader.ts). A slot returns to its pool only when its chains have ended, never earlier, even
 * when the caller aborted: a chain may still be writing into it.
 */
import { Engine } from '../engine/engine.js';
import { invalidArgType, isUint8Array, optionsOf, outOfRange, pathOf, signalOf } from '../engine/arguments.js';
import { abortError, SyscallError } from '../engine/errors.js';
import { offAbort, onAbort } from '../engine/abort-listeners.js';
import { paced } from '../engine/event-loop-turns.js';
import { ReadFailure, readWholeFile, type Whole } from './reader.js';
import { beginRequest, Request, requestStats, SLOT_DATA_BYTES, withRequest } from './requests.js';

export { PATH_BYTES } from './request-paths.js';
/** Default `maxBytes` of {@link readFileSyslet}. */
export const DEFAULT_MAX_BYTES = 1 << 20;
/** Largest `maxBytes` accepted. */
export const MAX_READ_CAPACITY = 1 << 30;

/** Options of the helpers. */
export interface HelperOptions {
  /** Aborting rejects at once with an AbortError (its `cause` the reason); the chain still finishes (a syscall cannot be recalled). */
  readonly signal?: AbortSignal;
}

/** Options of {@link readFileSyslet}: `readFileSyslet(engine, path, { maxBytes, signal })`. */
export interface ReadFileOptions extends HelperOptions {
  /** The largest file accepted, default {@link DEFAULT_MAX_BYTES} (1 MiB); at most 1 GiB. */
  readonly maxBytes?: number;
}

/** A path as `node:fs` takes one: a string, the bytes of one (Buffer, Uint8Array), or a `file:` URL. */
export type PathLike = string | Uint8Array | URL;

/**
 * The error the helpers reject with for a failed call: a {@link SyscallError}, Node's fields
 * (`errno` negative, `code`, `syscall`, `path`) and message. (The name stays for code that
 * imported it before the base class had these fields.)
 */
export type SysletPathError = SyscallError;

/**
 * sysletError - the Error a helper rejects with for a negative atom result.
 *
 * @param result - the atom's result, `-errno`.
 * @param syscall - the failing call, for the message (`'open'`, `'read'`...).
 * @param path - the path involved, if any.
 * @returns the error (not thrown): e.g. `ENOENT: no such file or directory, open '/x'`.
 * @example
 * ```ts
 * if (fd < 0) throw sysletError(fd, 'open', path);
 * ```
 */
export function sysletError(result: number, syscall: string, path?: string): SysletPathError {
  return new SyscallError(result, syscall, path);
}

/** @internal A word as a number (results here fit in 53 bits). */
export const num = (word: number | bigint): number => (typeof word === 'bigint' ? Number(word) : word);

/** @internal A path as text, for an error's `path`. */
export function pathText(path: string | Uint8Array): string {
  return typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.length).toString();
}

/**
 * @internal withHelperRequest - run `work` with a request from the engine's window. An abort rejects at once; the work itself
 * goes on until its chains have ended (they cannot be recalled), and only then is the request
 * ended, so that its slot is never reused while a chain may still write into it.
 */
export function withHelperRequest<T>(engine: Engine, signal: AbortSignal | undefined, work: (request: Request, aborted: () => boolean) => Promise<T>): Promise<T> {
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  // Counted against the event loop's turn (engine/event-loop-turns.ts): a whole-file read of a
  // cached file completes inline, and a loop awaiting one never let a timer run (hunt22).
  return paced(new Promise<T>((resolve, reject) => {
    let settled = false;
    const aborted = (): void => {
      if (settled || signal === undefined) return;
      settled = true;
      reject(abortError(signal));
    };
    if (signal !== undefined) onAbort(signal, aborted);
    const finish = (error: Error | null, value?: T): void => {
      if (signal !== undefined) offAbort(signal, aborted);
      if (settled) return;
      settled = true;
      if (error !== null) reject(error);
      else resolve(value as T);
    };
    withRequest(engine, (request, refused) => {
      if (request === null) {
        finish(refused);
        return;
      }
      work(request, () => settled).then(
        (value) => {
          request.end();
          finish(null, value);
        },
        (error: unknown) => {
          request.end();
          finish(error instanceof Error ? error : new Error(String(error)));
        },
      );
    });
  }));
}

/** Stop reading once the caller has given up: the error never reaches it (it was rejected already). */
const abandoned = (aborted: () => boolean) => (): void => {
  if (aborted()) throw new Error('aborted');
};

/** @throws Node's ERR_INVALID_ARG_TYPE / ERR_OUT_OF_RANGE for a byte limit outside 0..2^30. */
function checkLimit(bytes: unknown, name: string): number {
  if (typeof bytes !== 'number') throw invalidArgType(name, 'of type number', bytes);
  if (!Number.isSafeInteger(bytes) || bytes < 0 || bytes > MAX_READ_CAPACITY) throw outOfRange(name, `>= 0 && <= ${MAX_READ_CAPACITY}`, bytes);
  return bytes;
}

/** @internal The engine argument of a helper, checked (a helper without one cannot run anything). */
export function engineOf(value: unknown): Engine {
  if (value instanceof Engine) return value;
  throw invalidArgType('engine', 'an instance of Engine', value);
}

/**
 * readFileSyslet - read a whole file with file.readFirst (open, fstat, read, close: one syslet,
 * inline when the file is cached); a file longer than one 64 KiB slot is read on into a Buffer
 * sized from its st_size. Requests beyond the engine's window wait their turn.
 *
 * Called as Node's `fs.promises.readFile` is, with an options object:
 * `readFileSyslet(engine, path, { maxBytes, signal })`; the older positional form
 * `readFileSyslet(engine, path, maxBytes, { signal })` still works.
 *
 * @param engine - the engine to run on.
 * @param path - a string, a Buffer/Uint8Array or a `file:` URL (relative paths are resolved
 *   against the working directory).
 * @param options - `maxBytes`: the largest file accepted (default 1 MiB; nothing of this size is
 *   reserved: memory follows the file's real size); `signal`: an AbortSignal.
 * @returns a new Buffer with the file's bytes.
 * @throws (rejects) a SyscallError with `code` `'ENOENT'`, `'EISDIR'`... from the open or read;
 *   `'EFBIG'` when the file is larger than `maxBytes`; an AbortError when `signal` aborts;
 *   TypeError/RangeError with Node's code (ERR_INVALID_ARG_TYPE...) naming a bad argument.
 * @example
 * ```ts
 * const text = (await readFileSyslet(engine, '/etc/hostname')).toString();
 * const small = await readFileSyslet(engine, new URL('file:///etc/hostname'), { maxBytes: 4096 });
 * ```
 */
export function readFileSyslet(engine: Engine, path: PathLike, options?: ReadFileOptions): Promise<Buffer>;
export function readFileSyslet(engine: Engine, path: PathLike, maxBytes?: number, options?: HelperOptions): Promise<Buffer>;
export function readFileSyslet(engine: Engine, path: PathLike, maxBytesOrOptions?: number | ReadFileOptions, options?: HelperOptions): Promise<Buffer> {
  let file: string | Uint8Array;
  let maxBytes: number;
  let signal: AbortSignal | undefined;
  try {
    engineOf(engine);
    file = pathOf(path, 'path');
    if (typeof maxBytesOrOptions === 'object' && maxBytesOrOptions !== null) {
      maxBytes = checkLimit(maxBytesOrOptions.maxBytes ?? DEFAULT_MAX_BYTES, 'options.maxBytes');
      signal = signalOf(maxBytesOrOptions.signal);
    } else {
      maxBytes = checkLimit(maxBytesOrOptions ?? DEFAULT_MAX_BYTES, 'maxBytes');
      signal = signalOf(optionsOf(options).signal);
    }
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  return withHelperRequest(engine, signal, async (request, aborted) => {
    const got = await readWholeFile(request, file, { flags: 0, mode: 0, limit: maxBytes, overLimit: 'fail', between: abandoned(aborted) });
    if (got instanceof ReadFailure) throw sysletError(-got.errno, got.syscall, pathText(file));
    return got;
  });
}

/**
 * readFileInto - read a file into `target`: its first `min(file size, target.length)` bytes.
 *
 * @param path - a string, a Buffer/Uint8Array or a `file:` URL.
 * @param target - receives the bytes. It is copied into, never handed to the engine, so any
 *   Uint8Array works and nothing is registered.
 * @returns how many bytes were copied into `target`.
 * @throws (rejects) as {@link readFileSyslet}, except that a larger file is not an error: it
 *   fills `target`.
 * @example
 * ```ts
 * const buf = Buffer.alloc(4096);
 * const n = await readFileInto(engine, 'data.bin', buf);
 * ```
 */
export function readFileInto(engine: Engine, path: PathLike, target: Uint8Array, options?: HelperOptions): Promise<number> {
  let file: string | Uint8Array;
  let signal: AbortSignal | undefined;
  try {
    engineOf(engine);
    file = pathOf(path, 'path');
    if (!isUint8Array(target)) throw invalidArgType('target', 'an instance of Buffer or Uint8Array', target);
    checkLimit(target.length, 'target.length');
    signal = signalOf(optionsOf(options).signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  if (signal === undefined) return readIntoUnsignalled(engine, file, target);
  return withHelperRequest(engine, signal, async (request, aborted) => {
    const got = await readWholeFile(request, file, { flags: 0, mode: 0, limit: target.length, overLimit: 'truncate', between: abandoned(aborted), into: target });
    return copiedInto(got, target, file);
  });
}

/**
 * readFileInto without an AbortSignal: nothing can give up on the read, so it needs none of
 * withHelperRequest's machinery (a Promise and its settle closures, the abort listener, the
 * request callback and the `between` check per call: a sixth of a cached small file's CPU in
 * P4's profile, most of it the allocations). A request comes straight from the window when it
 * has room, as syslet-aio/fs's readFile takes one.
 */
function readIntoUnsignalled(engine: Engine, file: string | Uint8Array, target: Uint8Array): Promise<number> {
  const taken = beginRequest(engine);
  // Counted against the event loop's turn, as withHelperRequest's calls are.
  if (taken instanceof Request) return paced(readIntoWith(taken, file, target));
  return paced(taken.then((request) => readIntoWith(request, file, target)));
}

/**
 * readFileInto's read on a request it ends. A file that the first chain read inline is answered
 * with one Promise (the one a caller gets), not an async function's and its awaits.
 */
function readIntoWith(request: Request, file: string | Uint8Array, target: Uint8Array): Promise<number> {
  let got: Whole<number | Buffer | ReadFailure>;
  try {
    got = readWholeFile(request, file, { flags: 0, mode: 0, limit: target.length, overLimit: 'truncate', into: target });
  } catch (error) {
    request.end();
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
  if (got instanceof Promise) {
    return got.then(
      (value) => {
        request.end();
        return copiedInto(value, target, file);
      },
      (error: unknown) => {
        request.end();
        throw error;
      },
    );
  }
  request.end();
  try {
    return Promise.resolve(copiedInto(got, target, file));
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

/** The count readFileInto returns, once the bytes are in `target`. */
function copiedInto(got: number | Buffer | ReadFailure, target: Uint8Array, file: string | Uint8Array): number {
  // Usually copied into target already (the count came back); a file read on past one slot comes
  // back in a Buffer of its own.
  if (typeof got === 'number') return got;
  if (got instanceof ReadFailure) throw sysletError(-got.errno, got.syscall, pathText(file));
  target.set(got);
  return got.length;
}

/**
 * helperPoolStats - the slots the helpers (and syslet-aio/fs) hold for `engine`, by data-area
 * size (`slots/65536`): what tests use to see that repeated calls reuse memory and that closing
 * the engine gives it back. Empty before the first request.
 */
export function helperPoolStats(engine: Engine): Record<string, {
  /** Slabs allocated (256 KiB of engine memory each). */
  readonly slabs: number;
  /** Slots in the pool, ready to use. */
  readonly free: number;
}> {
  const stats = requestStats(engine);
  return stats.slabs === 0 ? {} : { [`slots/${SLOT_DATA_BYTES}`]: { slabs: stats.slabs, free: stats.freeSlots } };
}
