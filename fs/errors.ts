/**
 * The errors syslet-aio/fs rejects with, shaped as node:fs/promises shapes them, field by field:
 *
 * - a failed system call: a plain `Error` whose own properties are, in Node's order, `errno`
 *   (negative), `code`, `syscall`, `path` and `dest` (when the call had them), with Node's message
 *   (`ENOENT: no such file or directory, open '/x'`). The fields come from engine/errors.ts's
 *   {@link nodeErrorFields}, the one place an errno becomes Node's error fields.
 * - an aborted call: engine/errors.ts's `AbortError` (`name` 'AbortError', `code` 'ABORT_ERR',
 *   `cause` the signal's reason), as Node's internal class has them.
 * - a call on a closed FileHandle: `Error('file closed')` with `code` 'EBADF' and `syscall` the
 *   method's internal name, as Node's fsCall throws it.
 */
import { fstatSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { nodeErrorFields } from '../engine/errors.js';
import { ECANCELED, EINTR, ESHUTDOWN } from '../engine/native/index.js';

/** The fields of a system-call error from syslet-aio/fs (as Node's `NodeJS.ErrnoException`). */
export interface FsSystemError extends Error {
  /** The negative errno (`-2`). */
  errno: number;
  /** The errno name (`'ENOENT'`). */
  code: string;
  /** The call Node names (`'open'`, `'scandir'`, `'copyfile'`...). */
  syscall: string;
  /** The path argument, when there is one. */
  path?: string;
  /** The destination path (rename, copyFile), when there is one. */
  dest?: string;
}

/**
 * fsError - the error Node's fs.promises rejects with for a failed call.
 *
 * @param errno - the errno, either sign.
 * @param syscall - Node's name for the call.
 * @param path - the path, if the call took one (a Buffer path is shown as its UTF-8 text).
 * @param dest - the second path, if any.
 * @returns the Error (not thrown).
 * @example
 * ```ts
 * throw fsError(2, 'open', '/nope'); // ENOENT: no such file or directory, open '/nope'
 * ```
 */
export function fsError(errno: number, syscall: string, path?: string | Uint8Array, dest?: string | Uint8Array): FsSystemError {
  // A chain of syslet-aio/fs meets EINTR only when its engine interrupts it as it closes (the
  // cachemiss threads block every signal but the engine's wake signal, and io_uring answers the
  // cancel of a request in flight with it), and ECANCELED only when the close cancels it before
  // it starts. Node retries EINTR and shows neither; the call failed because the engine closed,
  // so it answers as a call made after the close does: ESHUTDOWN.
  const code = Math.abs(errno);
  const fields = nodeErrorFields(code === EINTR || code === ECANCELED ? ESHUTDOWN : errno, syscall, path === undefined ? undefined : pathText(path), dest === undefined ? undefined : pathText(dest));
  const error = new Error(fields.message) as FsSystemError;
  error.errno = fields.errno;
  error.code = fields.code;
  error.syscall = fields.syscall;
  if (fields.path !== undefined) error.path = fields.path;
  if (fields.dest !== undefined) error.dest = fields.dest;
  return error;
}

/** pathText - a path as Node shows it in errors: strings as they are, bytes as UTF-8 text. */
export function pathText(path: string | Uint8Array): string {
  return typeof path === 'string' ? path : Buffer.from(path.buffer, path.byteOffset, path.byteLength).toString();
}

/** fileClosedError - a FileHandle method called after close (Node: `file closed`, EBADF). */
export function fileClosedError(syscall: string): Error {
  const error = new Error('file closed') as Error & { code: string; syscall: string };
  error.code = 'EBADF';
  error.syscall = syscall;
  return error;
}

/** Node's kIoMaxLength: readFile refuses larger files with ERR_FS_FILE_TOO_LARGE. */
export const IO_MAX_LENGTH = 2 ** 31 - 1;

/**
 * Node's readFileHandle refuses a regular file over kIoMaxLength (2 GiB - 1) before reading, with
 * its RangeError ERR_FS_FILE_TOO_LARGE. The error is made by Node itself, from the file the fd
 * names (/proc/self/fd/N: its size check comes first, so nothing is read): this layer has no copy
 * of Node's error classes. Before, the reader's own EFBIG 'read' was the answer.
 *
 * @param fd - the handle's fd, whose read failed with EFBIG.
 * @throws Node's ERR_FS_FILE_TOO_LARGE when the file is regular and over the limit; else returns.
 */
export async function throwIfTooLarge(fd: number): Promise<void> {
  let stats;
  try {
    stats = fstatSync(fd);
  } catch {
    return;
  }
  if (!stats.isFile() || stats.size <= IO_MAX_LENGTH) return;
  // (Resolves only if the file shrank in between: the reader's EFBIG stands then.)
  await nodeFs.readFile(`/proc/self/fd/${String(fd)}`).then(() => undefined, (error: unknown) => {
    if ((error as { code?: unknown }).code === 'ERR_FS_FILE_TOO_LARGE') throw error;
  });
}

/**
 * wholeString - the bytes of a whole-file read as a string in `encoding`, failing as
 * node:fs/promises's readFile does when the string would be longer than V8's longest: Node
 * decodes chunk by chunk into one string, and that concatenation throws V8's own
 * `RangeError: Invalid string length` (no code), where buffer.toString throws
 * `ERR_STRING_TOO_LONG` (hunt27: code that tells a too-large file apart by `instanceof RangeError`
 * broke after the switched import).
 *
 * @throws RangeError 'Invalid string length'; whatever else toString throws, as it is.
 */
export function wholeString(bytes: Buffer, encoding: BufferEncoding): string {
  try {
    return bytes.toString(encoding);
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_STRING_TOO_LONG') throw new RangeError('Invalid string length');
    throw error;
  }
}
