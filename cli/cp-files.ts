/**
 * Opening the two files of a copy with cp(1)'s rules: the source must be a regular file; a
 * destination that is a directory gets the source's name inside it; a new destination gets the
 * source's permission bits (less the umask, as open(2) does); a file is never copied onto itself.
 * No open blocks: both are opened with O_NONBLOCK (cli/files.ts says why that is harmless for
 * regular files), so a FIFO on either side is refused instead of waiting for a peer forever.
 * A destination that is a device (/dev/null) is written as it is, never truncated, as GNU cp
 * does; one that is a FIFO or a socket is refused, because the copy writes at offsets.
 */
import { closeSync, constants, fstatSync, ftruncateSync, openSync, statSync, type Stats } from 'node:fs';
import { basename, join } from 'node:path';
import { CliError } from './errors.js';
import { attempt, fileKind, openRegularFile } from './files.js';

export { describe } from './files.js';

/** Two open fds, ready for positional I/O. */
export interface OpenedPair {
  readonly srcFd: number;
  readonly dstFd: number;
  /** The destination actually written (`<dst>/<name of src>` when `dst` is a directory). */
  readonly dst: string;
  /**
   * The source's size when it was opened: what the copy will move. 0 also stands for "unknown":
   * procfs and sysfs files report 0 and are read until a read returns 0.
   */
  readonly size: number;
  /** Whether the destination is a regular file (truncated, and may receive holes) or a device. */
  readonly dstRegular: boolean;
}

/**
 * openPair - open `src` for reading and `dst` for writing (created, then truncated if it is a
 * regular file).
 *
 * The same-file check is made on the open fds (fstat, device and inode) *before* the destination
 * is truncated: checking paths first and opening with O_TRUNC would destroy the source when a
 * hard link, a symlink or `dir/../dir` names the same file.
 *
 * @returns the fds (the caller closes them with {@link closePair}), the destination path and the size.
 * @throws CliError (one line naming the path and the errno) when a file cannot be opened, the
 *   source is not a regular file, the destination is a FIFO, socket or directory, or both name
 *   the same file; nothing is left open then.
 */
export function openPair(src: string, dst: string): OpenedPair {
  const { fd: srcFd, stats: source } = openRegularFile(src);
  let dstFd = -1;
  try {
    const target = isDirectory(dst) ? join(dst, basename(src)) : dst;
    refuseUnwritable(target, statOrNull(target));
    dstFd = attempt(() => openSync(target, constants.O_WRONLY | constants.O_CREAT | constants.O_NONBLOCK, source.mode & 0o7777), `cannot create '${target}'`);
    const destination = fstatSync(dstFd);
    // Checked again on the fd: the path may have been replaced between the stat and the open.
    refuseUnwritable(target, destination);
    if (sameFile(source, destination)) throw new CliError(`'${src}' and '${target}' are the same file`);
    const dstRegular = destination.isFile();
    if (dstRegular) attempt(() => ftruncateSync(dstFd, 0), `cannot truncate '${target}'`);
    return { srcFd, dstFd, dst: target, size: source.size, dstRegular };
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

/** The copy writes at offsets (pwrite): a regular file or a device takes that, a FIFO or a socket does not. */
function refuseUnwritable(target: string, stats: Stats | null): void {
  // A directory is left to open(2), whose EISDIR says it best.
  if (stats === null || stats.isFile() || stats.isCharacterDevice() || stats.isBlockDevice() || stats.isDirectory()) return;
  throw new CliError(`'${target}' is ${fileKind(stats)}: cp writes at offsets, so the destination must be a regular file or a device`);
}

function statOrNull(path: string): Stats | null {
  try {
    return statSync(path);
  } catch {
    return null; // missing (it will be created) or unreachable (open will say why)
  }
}

function isDirectory(path: string): boolean {
  return statOrNull(path)?.isDirectory() === true;
}

function sameFile(a: Stats, b: Stats): boolean {
  return a.dev === b.dev && a.ino === b.ino;
}
