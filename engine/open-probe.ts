/**
 * The inline open's O_NONBLOCK. openat2 with RESOLVE_CACHED keeps the path walk in the dcache,
 * but the open itself may still wait: a FIFO opened for reading waits for a writer (and for
 * writing, for a reader) in fifo_open's wait_for_partner, a terminal for its carrier, a device
 * for whatever its driver waits for — on the event loop's thread, which then runs no timer, no
 * I/O and no engine.close() (hunt28: a copyFile from a FIFO, a plugin's openat O_RDONLY of one).
 * So the probe opens with O_NONBLOCK added when the caller's flags lack it, and looks at what it
 * opened: a regular file or a directory (whose open never waits) gets the caller's flags back
 * with F_SETFL, so the chain's fd is exactly the one it asked for; anything else (a FIFO, a
 * device) is closed and the open goes to a cachemiss thread, where it is made as the caller
 * wrote it and waits as a blocking open does. The same for an error O_NONBLOCK may have caused
 * (ENXIO: a FIFO opened for writing with no reader). plugins/reader.ts and fs/open.ts add
 * O_NONBLOCK themselves and handle the fd; with the caller's own O_NONBLOCK the probe is the call.
 * Used by probe.ts (openat) and compat-calls.ts (openat_nonlfs).
 */
import { syscall, EEXIST, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENFILE, ENOENT, ENOTDIR, EPERM, errnoNumber } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { F_SETFL, O_CREAT, O_DIRECTORY, O_NONBLOCK, O_PATH, O_TMPFILE, O_TRUNC, S_IFDIR, S_IFREG } from './syscalls/constants.generated.js';
import { fileTypeOf } from './fd-type.js';

const SYS_fcntl = NR.fcntl;
const SYS_close = NR.close;
const EACCES = errnoNumber('EACCES') as number;
// Opens whose probe needs no O_NONBLOCK: the caller's own (the probe is then the call); O_PATH
// and O_DIRECTORY, which never reach a FIFO's or a device's open (and openat2 refuses O_PATH with
// any other flag); O_CREAT, O_TRUNC and O_TMPFILE, which RESOLVE_CACHED refuses (EAGAIN) anyway.
const NO_NONBLOCK = O_NONBLOCK | O_PATH | O_DIRECTORY | O_CREAT | O_TRUNC | O_TMPFILE;

/**
 * Answer of {@link settleProbedOpen} when the open must be made where it may wait (a cachemiss
 * thread). Below every -errno, never an fd.
 */
export const OPEN_WOULD_BLOCK = -0x10000;

/**
 * probeOpenFlags - the flags the inline probe of an open with `flags` is made with: `flags` with
 * O_NONBLOCK added, unless the caller set it or the open cannot wait on its file.
 *
 * @param flags - the caller's open flags (32-bit).
 * @returns the flags for the probe's open_how; equal to `flags` when nothing was added.
 */
export function probeOpenFlags(flags: number): number {
  return (flags & NO_NONBLOCK) === 0 ? (flags | O_NONBLOCK) >>> 0 : flags;
}

/**
 * settleProbedOpen - what an inline probe's open answers the chain: the fd with the caller's
 * flags (O_NONBLOCK cleared again when the probe added it), its -errno, or
 * {@link OPEN_WOULD_BLOCK} when the file (a FIFO, a device) or the error (ENXIO...) says that
 * the open made without O_NONBLOCK may wait or answer otherwise; the fd is then closed.
 *
 * @param result - the probe's openat2 result (fd or -errno; EAGAIN and the like already taken).
 * @param flags - the caller's open flags (32-bit).
 * @param probeFlags - {@link probeOpenFlags}(flags).
 * @returns the fd, -errno, or {@link OPEN_WOULD_BLOCK}.
 */
export function settleProbedOpen(result: number, flags: number, probeFlags: number): number {
  if (probeFlags === flags) return result;
  if (result < 0) return answeredByPath(result) ? result : OPEN_WOULD_BLOCK;
  // A regular file or a directory: the open did not wait, and O_NONBLOCK goes (a procfs or FUSE
  // regular file may honour it, and io_uring answers EAGAIN on such an fd instead of waiting).
  // F_SETFL sets exactly the flags the open set from the caller's (O_APPEND, O_DIRECT, O_NOATIME, FASYNC).
  const type = fileTypeOf(result);
  if ((type === S_IFREG || type === S_IFDIR) && syscall(SYS_fcntl, result, F_SETFL, flags) === 0) return result;
  syscall(SYS_close, result);
  return OPEN_WOULD_BLOCK;
}

/**
 * Whether an error of the O_NONBLOCK probe is one the path walk or the permission checks give
 * (then the blocking open answers it too); any other (ENXIO, EBUSY, a driver's) is the blocking
 * open's to answer.
 */
function answeredByPath(errno: number): boolean {
  return errno === -ENOENT || errno === -ENOTDIR || errno === -EACCES || errno === -EPERM || errno === -ELOOP ||
    errno === -ENAMETOOLONG || errno === -EISDIR || errno === -EMFILE || errno === -ENFILE || errno === -EEXIST;
}
