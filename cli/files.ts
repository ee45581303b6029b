/**
 * Opening the files a command reads without ever blocking in open(2): a FIFO opened for reading
 * waits for a writer, and a FIFO opened for writing waits for a reader, possibly forever. Every
 * input is therefore opened with O_NONBLOCK and checked with fstat before it is used; anything
 * but a regular file is refused with one line. O_NONBLOCK changes nothing for a regular file
 * (reads and writes of regular files never return EAGAIN for it), so the fd is used as it is.
 */
import { closeSync, constants, fstatSync, openSync, type Stats } from 'node:fs';
import { errnoMessage } from '../index.js';
import { CliError } from './errors.js';

/** An open regular file and what fstat said about it. */
export interface OpenedFile {
  readonly fd: number;
  readonly stats: Stats;
}

/**
 * openRegularFile - open `path` for reading, refusing anything that is not a regular file.
 *
 * @param path - the file.
 * @returns the fd (the caller closes it) and its fstat.
 * @throws CliError `cannot open '<path>': <message> (<CODE>)` when open fails, or
 *   `'<path>' is not a regular file (a FIFO)` for a FIFO, socket, device or directory; no fd
 *   is left open then. Never blocks in open, whatever the path names.
 * @example
 * ```ts
 * const { fd, stats } = openRegularFile('image.bin');
 * try { readFileSync(fd); } finally { closeSync(fd); }
 * ```
 */
export function openRegularFile(path: string): OpenedFile {
  const fd = attempt(() => openSync(path, constants.O_RDONLY | constants.O_NONBLOCK), `cannot open '${path}'`);
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile()) throw new CliError(`'${path}' is not a regular file (${fileKind(stats)})`);
    return { fd, stats };
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** fileKind - what a non-regular file is, in words: `a FIFO`, `a directory`, `a character device`... */
export function fileKind(stats: Stats): string {
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isSocket()) return 'a socket';
  if (stats.isSymbolicLink()) return 'a symbolic link';
  return 'a regular file';
}

/** describe - an fs error as `message (CODE)`, e.g. `No such file or directory (ENOENT)`. */
export function describe(error: unknown): string {
  const { errno, code, message } = error as NodeJS.ErrnoException;
  if (typeof errno === 'number' && code !== undefined) return `${errnoMessage(errno)} (${code})`;
  return error instanceof Error ? message : String(error);
}

/** attempt - run an fs call; its error becomes one CliError line starting with `what`. */
export function attempt<T>(action: () => T, what: string): T {
  try {
    return action();
  } catch (error) {
    throw new CliError(`${what}: ${describe(error)}`, { cause: error });
  }
}
