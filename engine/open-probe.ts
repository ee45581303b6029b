/**
 * The inline open's O_NONBLOCK. openat2 with RESOLVE_CACHED keeps the path walk in the dcache,
 * but the open itself may still wait: a FIFO opened for reading waits for a writer (and for
 * writing, for a reader) in fifo_open's wait_for_partner, a terminal for its carrier, a device
 * for whatever its driver waits for — on the event loop's thread, which then runs no timer, no
 * I/O and no engine.close() (hunt28: a copyFile from a FIFO, a plugin's openat O_RDONLY of one).
 * So the probe opens with O_NONBLOCK added when the caller's flags lack it, and looks at what it
 * opened: a regular file or a directory (whose open never waits), or a FIFO whose blocking open
 * would not have waited either (a writer is there, or it was opened for writing or O_RDWR), gets
 * the caller's flags back with F_SETFL, so the chain's fd is exactly the one it asked for; a
 * read-only FIFO with no writer, or a device, is closed and the open goes to a cachemiss thread,
 * where it is made as the caller wrote it and waits as a blocking open does. The same for an
 * error O_NONBLOCK may have caused (ENXIO: a FIFO opened for writing with no reader). (Between
 * the close and the thread's open, a writer opening with O_NONBLOCK gets ENXIO where a reader
 * waiting in its open would have let it in; one that waits is let in by the thread's open.) plugins/reader.ts and fs/open.ts add
 * O_NONBLOCK themselves and handle the fd; with the caller's own O_NONBLOCK the probe is the call.
 * Used by probe.ts (openat) and compat-calls.ts (openat_nonlfs).
 */
import { allocNative, syscall, EAGAIN, EEXIST, EISDIR, ELOOP, EMFILE, ENAMETOOLONG, ENFILE, ENOENT, ENOTDIR, EPERM, errnoNumber } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { F_SETFL, O_ACCMODE, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_NONBLOCK, O_PATH, O_RDONLY, O_TMPFILE, O_TRUNC, S_IFDIR, S_IFIFO, S_IFREG } from './syscalls/constants.generated.js';
import { fileTypeOf } from './fd-type.js';

const SYS_fcntl = NR.fcntl;
const SYS_close = NR.close;
const SYS_pipe2 = NR.pipe2;
const SYS_tee = NR.tee;
const SYS_read = NR.read;
/** <linux/splice.h>: tee(2) answers EAGAIN instead of waiting for bytes. */
const SPLICE_F_NONBLOCK = 2;
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
  // A FIFO: its blocking open waits only when read-only and no writer has it open (O_WRONLY with
  // O_NONBLOCK opened, so a reader has it; O_RDWR never waits). Then it is closed — with no
  // writer, no one sees that — and opened again on the thread. With a writer, the fd is the
  // blocking open's answer, kept: closing it would let a writer whose open it woke write to a
  // FIFO with no reader (EPIPE, SIGPIPE) before the thread's open came.
  const opensNow = type === S_IFREG || type === S_IFDIR || (type === S_IFIFO && ((flags & O_ACCMODE) !== O_RDONLY || hasWriter(result)));
  if (opensNow && syscall(SYS_fcntl, result, F_SETFL, flags) === 0) return result;
  syscall(SYS_close, result);
  return OPEN_WOULD_BLOCK;
}

// A pipe of this thread's own that tee(2) copies a byte of a FIFO into without taking it from the
// FIFO, made at the first FIFO (null when pipe2 refused): its two ends, then room to drain it.
let teeSink: { readonly read: number; readonly write: number; readonly drain: number } | null = null;
let teeSinkTried = false;
const SINK_BYTES = 8;

function sink(): typeof teeSink {
  if (!teeSinkTried) {
    teeSinkTried = true;
    const block = allocNative(8 + SINK_BYTES, 8);
    if (syscall(SYS_pipe2, block.address, O_CLOEXEC | O_NONBLOCK) === 0) {
      const ends = new Int32Array(block.buffer, 0, 2);
      teeSink = { read: ends[0] as number, write: ends[1] as number, drain: block.address + 8 };
    }
  }
  return teeSink;
}

/**
 * Whether a FIFO that `fd` (opened read-only, O_NONBLOCK) names has a writer now, asked without
 * reading from it: tee(2) of one byte with SPLICE_F_NONBLOCK answers 0 when the FIFO is empty
 * and has no writer, EAGAIN when it is empty and has one; bytes waiting (it copies one, drained
 * from the sink here) count as a writer too. Without a sink, false: the open goes to the thread.
 */
function hasWriter(fd: number): boolean {
  const into = sink();
  if (into === null) return false;
  const copied = syscall(SYS_tee, fd, into.write, 1, SPLICE_F_NONBLOCK);
  if (copied > 0) syscall(SYS_read, into.read, into.drain, SINK_BYTES);
  return copied > 0 || copied === -EAGAIN;
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
