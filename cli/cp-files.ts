/**
 * Opening the two files of a copy with cp(1)'s rules: the source must be a regular file; a
 * destination that is a directory gets the source's name inside it; a new destination gets the
 * source's permission bits (less the umask, as open(2) does); a file is never copied onto itself.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { errnoMessage } from '../index.js';
import { CliError } from './errors.js';

/** Two open fds, ready for positional I/O. */
export interface OpenedPair {
  readonly srcFd: number;
  readonly dstFd: number;
  /** The destination actually written (`<dst>/<name of src>` when `dst` is a directory). */
  readonly dst: string;
  /** The source's size when it was opened: what the copy will move. */
  readonly size: number;
}

/**
 * openPair - open `src` for reading and `dst` for writing (created, then truncated).
 *
 * The same-file check is made on the open fds (fstat, device and inode) *before* the destination
 * is truncated: checking paths first and opening with O_TRUNC would destroy the source when a
 * hard link, a symlink or `dir/../dir` names the same file.
 *
 * @returns the fds (the caller closes them with {@link closePair}), the destination path and the size.
 * @throws CliError (one line naming the path and the errno) when a file cannot be opened, the
 *   source is not a regular file, or both name the same file; nothing is left open then.
 */
export function openPair(src: string, dst: string): OpenedPair {
  const srcFd = attempt(() => openSync(src, 'r'), `cannot open '${src}'`);
  let dstFd = -1;
  try {
    const source = fstatSync(srcFd);
    if (!source.isFile()) throw new CliError(`'${src}' is not a regular file`);
    const target = isDirectory(dst) ? join(dst, basename(src)) : dst;
    dstFd = attempt(() => openSync(target, constants.O_WRONLY | constants.O_CREAT, source.mode & 0o7777), `cannot create '${target}'`);
    if (sameFile(source, fstatSync(dstFd))) throw new CliError(`'${src}' and '${target}' are the same file`);
    attempt(() => ftruncateSync(dstFd, 0), `cannot truncate '${target}'`);
    return { srcFd, dstFd, dst: target, size: source.size };
  } catch (error) {
    closePair(srcFd, dstFd);
    throw error;
  }
}

/** closePair - close whichever of the two fds are open (-1 means not opened). */
export function closePair(srcFd: number, dstFd: number): void {
  for (const fd of [srcFd, dstFd]) {
    if (fd >= 0) closeSync(fd);
  }
}

/** describe - an fs error as `message (CODE)`, e.g. `No such file or directory (ENOENT)`. */
export function describe(error: unknown): string {
  const { errno, code, message } = error as NodeJS.ErrnoException;
  if (typeof errno === 'number' && code !== undefined) return `${errnoMessage(errno)} (${code})`;
  return error instanceof Error ? message : String(error);
}

function attempt<T>(action: () => T, what: string): T {
  try {
    return action();
  } catch (error) {
    throw new CliError(`${what}: ${describe(error)}`, { cause: error });
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // missing (it will be created) or unreachable (open will say why)
  }
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
