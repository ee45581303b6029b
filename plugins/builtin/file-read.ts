/**
 * The whole-file reading chains behind readFileSyslet, readFileInto and syslet-aio/fs's
 * readFile: a first chain that reads at most one buffer (and says whether the file is done), and
 * chains that go on from the fd it left open. Splitting a read this way is what lets a caller
 * size its buffer from fstat instead of reserving the largest file it accepts up front.
 */
import {
  SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_NONZERO,
  SYSLET_STOP_ON_ZERO,
} from '../../engine/atom.js';
import { defineBuiltinPlugin, type Plugin } from '../plugin.js';
import type { ArgTemplate, AtomTemplate, PluginDefinition } from '../types.js';
import { POLLIN, SEEK_SET } from '../../engine/syscalls/constants.generated.js';
import { AT_FDCWD, STAT_BYTES, STAT_SIZE_OFFSET } from './file.js';

/**
 * read_size's `done` for the "is st_size known?" test: no real file is that long (2^53 - 1 bytes,
 * and read_size's arithmetic stays on plain numbers), so read_size(&x, stat, UNKNOWN_SIZE_PROBE, 1)
 * is 0 for every file that reports a size and 1 for a file that reports st_size 0 (procfs,
 * sysfs, FIFOs, sockets, character devices). A sparse file beyond 8 PiB would also answer 1 and
 * simply be read as one of unknown length.
 */
export const UNKNOWN_SIZE_PROBE = Number.MAX_SAFE_INTEGER;

/** Atom indices of {@link fileReadStart} (and of its cachemiss twin). */
export const READ_START = {
  /** openat: the fd, or -errno (the chain stops there: nothing to close). */
  open: 0,
  /** fstat into the scratch area `stat`. */
  fstat: 1,
  /** read_size(…, UNKNOWN_SIZE_PROBE, 1): 1 when st_size is 0, which ends the chain with the fd open. */
  sizeUnknown: 2,
  /** read_size: what the next read asks for; 0 once st_size bytes are in. */
  want: 3,
  /** close once st_size bytes are read (ends the chain). */
  closeWhenDone: 4,
  /** umem_add(-1) on the countdown before each read; -1 ends the chain with the fd open: `buf` is full. */
  countdown: 5,
  /** pread64 at the count read so far: the last piece, or ≤ 0 (then `read` makes the piece again). */
  pread: 6,
  /** lseek(fd, count read, SEEK_SET) after a pread64 that did not read: `read` then reads from there. */
  seek: 7,
  /** read(2) of the piece pread64 did not read: the last piece, 0 at end of file, or -errno (the read's error). */
  read: 8,
  /** close after a 0-byte read or a read error (ends the chain). */
  closeAtEof: 9,
} as const;

/**
 * The read loop of file.readStart and file.readMore, from the atom that asks how much to read
 * (`at` is its index). Each piece is read with pread64 at the `offset` cell, the file offset the
 * next byte comes from; when pread64 reads nothing (end of file, an error, or ESPIPE: a fd with no
 * position) the piece is made again as lseek(fd, offset) + read(2), so a FIFO, socket or terminal
 * is read as Node reads it and any error is read(2)'s, at the same place — never a read(2) at the
 * file position that the pread64s left where it was.
 */
function readLoop(at: number, fd: ArgTemplate, sizes: string): AtomTemplate[] {
  const pread = at + 3;
  const read = at + 5;
  return [
    /* at     */ { call: 'read_size', args: [{ ref: 'want' }, { scratch: sizes }, { cell: 'offset' }, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at + 2 },
    /* at + 1 */ { call: 'close', args: [fd], next: null },
    // No skip: `chunks` reads were made and the size is not reached; the caller goes on from here.
    /* at + 2 */ { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_NEGATIVE },
    /* at + 3 */ { call: 'pread64', args: [fd, { cell: 'cursor' }, { cell: 'want' }, { cell: 'offset' }], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at + 7 },
    /* at + 4 */ { call: 'lseek', args: [fd, { cell: 'offset' }, SEEK_SET] },
    /* at + 5 */ { call: 'read', args: [fd, { cell: 'cursor' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at + 9 },
    /* at + 6 */ { call: 'close', args: [fd], next: null },
    // Each read has its own pair of umem_add: an atom reads one fixed atom's result.
    /* at + 7 */ { call: 'umem_add', args: [{ ref: 'offset' }, { result: pread }] },
    /* at + 8 */ { call: 'umem_add', args: [{ ref: 'cursor' }, { result: pread }], next: at },
    /* at + 9 */ { call: 'umem_add', args: [{ ref: 'offset' }, { result: read }] },
    /* at + 10 */ { call: 'umem_add', args: [{ ref: 'cursor' }, { result: read }], next: at },
  ];
}

function readStartDefinition(cachemiss: boolean): PluginDefinition {
  return {
    name: cachemiss ? 'file.readStartOnCachemiss' : 'file.readStart',
    description: 'openat + fstat + pread64 (lseek + read where it reads nothing) into buf until st_size; the fd stays open when buf fills or the size is unknown',
    params: { path: 'ptr', flags: 'flags', mode: 'mode', buf: 'ptr', chunk: 'size', chunks: 'uint' },
    cells: { offset: 0, cursor: { param: 'buf' }, countdown: { param: 'chunks' }, want: 0, probe: 0 },
    scratch: { stat: STAT_BYTES },
    atoms: [
      { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: SYSLET_STOP_ON_NEGATIVE | (cachemiss ? SYSLET_ASYNC : 0) },
      { call: 'fstat', args: [{ result: 0 }, { scratch: 'stat' }] },
      // st_size 0 says nothing about the length (procfs) or the file is not one to read ahead of
      // its type (a FIFO opened O_NONBLOCK): hand the open fd back to the caller.
      { call: 'read_size', args: [{ ref: 'probe' }, { scratch: 'stat' }, UNKNOWN_SIZE_PROBE, 1], flags: SYSLET_STOP_ON_NONZERO },
      ...readLoop(READ_START.want, { result: 0 }, 'stat'),
    ],
  };
}

/**
 * file.readStart - open a file and read the start of it into `buf`: the first chain of a whole-file
 * read whose buffer is sized from fstat rather than reserved up front. It reads as
 * fs.promises.readFile does (from the start, sized by st_size) and ends in one of four ways:
 *
 * - every byte st_size promised is in `buf` → closed (atom 4): a small file is one chain;
 * - a read returned 0 or failed → closed (atom 9);
 * - `chunks` reads were made and st_size is not reached → **the fd stays open** (atom 5 stopped
 *   the chain): the caller sizes a buffer from st_size and goes on with {@link fileReadMore};
 * - st_size is 0 → **the fd stays open** after fstat (atom 2 stopped the chain): the length is
 *   unknown (procfs) or the file is a FIFO, socket or device, whose reads the caller makes itself.
 *
 * Params: `path` (C string), `flags` (open flags; O_CLOEXEC is the caller's to add), `mode` (for
 * O_CREAT), `buf`, `chunk` (bytes per read at most), `chunks` (reads at most). `buf` must hold
 * `chunk × chunks` bytes; the chain never writes past that.
 *
 * ```
 *  0 openat(AT_FDCWD, path, flags, mode)          STOP_ON_NEGATIVE
 *  1 fstat(fd, scratch stat)
 *  2 read_size(&probe, stat, 2^53-1, 1)           STOP_ON_NONZERO             (size unknown: end, fd open)
 *  3 read_size(&want, stat, offset, chunk)        STOP_ON_ZERO|SKIP  next → 5
 *  4 close(fd)                                    ← st_size bytes read; end
 *  5 umem_add(&countdown, -1)                     STOP_ON_NEGATIVE            (buf full: end, fd open)
 *  6 pread64(fd, cursor, want, offset)            STOP_ON_NON_POSITIVE|SKIP  next → 10
 *  7 lseek(fd, offset, SEEK_SET)                  ← pread64 read nothing
 *  8 read(fd, cursor, want)                       STOP_ON_NON_POSITIVE|SKIP  next → 12
 *  9 close(fd)                                    ← EOF or read error; end
 * 10 umem_add(&offset, n of 6)                    ← bytes read in all (the `offset` cell)
 * 11 umem_add(&cursor, n of 6)                                            next → 3
 * 12 umem_add(&offset, n of 8)
 * 13 umem_add(&cursor, n of 8)                                            next → 3
 * ```
 *
 * Why pread64: on a fd it has just opened, pread64 at the count read so far reads what read(2)
 * at the file position would, and a positional read is what the io_uring engine can make in the
 * ring when the page cache misses (it does not serialise a file position, so a read(2) that would
 * block went to a cachemiss thread: a JS worker's wake-up per uncached file). A fd with no
 * position (ESPIPE) — or any pread64 that reads nothing — gets lseek to the same offset and
 * read(2), so a non-seekable file is read as Node reads it and an error is read(2)'s. A file that
 * shrinks under the read ends where a read returns 0 (pread64's 0 is confirmed by read(2) from the
 * same offset); one that grows is read to the st_size fstat gave, as Node's readFile does.
 *
 * A cached file of up to `chunk` bytes is openat, fstat, pread64, close, all inline. When the
 * read-only open of a FIFO could block the caller, pass O_NONBLOCK: the chain stops at atom 2
 * before any read, and the caller clears the flag once it knows the file type.
 */
export const fileReadStart: Plugin = defineBuiltinPlugin(readStartDefinition(false));

/**
 * file.readStartOnCachemiss - {@link fileReadStart} with its openat flagged SYSLET_ASYNC: the
 * whole chain runs on a cachemiss thread. For an open that may wait (a FIFO without a writer, a
 * file under a lease) and must not wait on the caller's thread.
 */
export const fileReadStartOnCachemiss: Plugin = defineBuiltinPlugin(readStartDefinition(true));

/** Atom indices of {@link fileReadMore}. */
export const READ_MORE = {
  /** read_size: what the next read asks for; 0 once the file offset reaches `end`. */
  want: 0,
  /** close once `end` is reached (ends the chain). */
  closeWhenDone: 1,
  /** umem_add(-1) on the countdown; -1 ends the chain with the fd open (`buf` is full). */
  countdown: 2,
  /** pread64 at the `offset` cell: the last piece, or ≤ 0 (then `read` makes the piece again). */
  pread: 3,
  /** lseek(fd, offset, SEEK_SET) after a pread64 that did not read. */
  seek: 4,
  /** read(2) of the piece pread64 did not read: the last piece, 0 at end of file, or -errno. */
  read: 5,
  /** close after a 0-byte read or a read error (ends the chain). */
  closeAtEof: 6,
} as const;

// file.readMore's definition (typed as a PluginDefinition: its atoms come from readLoop).
const readMoreDefinition: PluginDefinition = {
  name: 'file.readMore',
  description: 'pread64 (lseek + read where it reads nothing) from `at` into buf until `end`, EOF or buf full; closes the fd unless buf filled first',
  params: { fd: 'fd', buf: 'ptr', chunk: 'size', chunks: 'uint', at: 'size', end: 'size' },
  cells: { offset: { param: 'at' }, cursor: { param: 'buf' }, countdown: { param: 'chunks' }, want: 0 },
  // read_size takes its limit from a struct stat's st_size: a stat-shaped area carrying `end`.
  scratch: { sizes: { size: STAT_BYTES, fields: [{ at: STAT_SIZE_OFFSET, width: 8, param: 'end' }] } },
  atoms: readLoop(READ_MORE.want, { param: 'fd' }, 'sizes'),
};

/**
 * file.readMore - go on reading an open fd (left open by {@link fileReadStart} or an earlier
 * file.readMore) into `buf`, from file offset `at`, with the read loop of file.readStart: pread64
 * at the offset reached, lseek + read(2) where pread64 reads nothing. Reading at an offset the
 * caller names (rather than at the file position) is what lets file.readStart read with pread64,
 * which leaves the file position where it was.
 *
 * Params: `fd`, `buf`, `chunk`, `chunks` (as file.readStart: `buf` holds `chunk × chunks`
 * bytes), `at`: the file offset to read from (the bytes read so far), `end`: the offset to stop
 * at (st_size; 0: unknown, read until a read returns 0). It closes the fd once `end` is reached,
 * at end of file or on a read error, and leaves it open when `chunks` reads were made first. The
 * `offset` cell ends at the file offset reached: it minus `at` is what this chain read.
 *
 * ```
 *  0 read_size(&want, sizes, offset, chunk)  STOP_ON_ZERO|SKIP          next → 2   (offset starts at `at`; sizes.st_size = end)
 *  1 close(fd)                               ← `end` reached; end
 *  2 umem_add(&countdown, -1)                STOP_ON_NEGATIVE                      (buf full: end, fd open)
 *  3 pread64(fd, cursor, want, offset)       STOP_ON_NON_POSITIVE|SKIP  next → 7
 *  4 lseek(fd, offset, SEEK_SET)             ← pread64 read nothing
 *  5 read(fd, cursor, want)                  STOP_ON_NON_POSITIVE|SKIP  next → 9
 *  6 close(fd)                               ← EOF or read error; end
 *  7 umem_add(&offset, n of 3)
 *  8 umem_add(&cursor, n of 3)                                          next → 0
 *  9 umem_add(&offset, n of 5)
 * 10 umem_add(&cursor, n of 5)                                          next → 0
 * ```
 */
export const fileReadMore: Plugin = defineBuiltinPlugin(readMoreDefinition);

/** file.close - close(fd): ends a read that stopped early with the fd still open. */
export const fileClose: Plugin = defineBuiltinPlugin({
  name: 'file.close',
  description: 'close(fd)',
  params: { fd: 'fd' },
  atoms: [{ call: 'close', args: [{ param: 'fd' }] }],
});

/** Atom indices of {@link fileReadFdStart}. */
export const READ_FD_START = {
  /** fstat into the scratch area `stat`; a negative result ends the chain. */
  fstat: 0,
  /** 1 when st_size is 0 (the length is unknown): the chain ends before any read. */
  sizeUnknown: 1,
  /** read_size: the last run's value; 0 means st_size bytes were read. */
  want: 2,
  /** umem_add(-1) before each read; -1 means `buf` is full. */
  countdown: 3,
  /** read: the last piece, 0 at end of file, or -errno. */
  read: 4,
  /** bytes read in all (not executed: none). */
  total: 5,
  /** advances the cursor; loops back to `want`. */
  cursor: 6,
} as const;

/**
 * file.readFdStart - {@link fileReadStart} on a file that is already open (FileHandle.readFile):
 * fstat, then read at the file position until st_size bytes, a 0-byte read, an error, or
 * `chunks` reads; it never closes the fd. It stops right after fstat when st_size is 0.
 *
 * ```
 *  0 fstat(fd, scratch stat)                  STOP_ON_NEGATIVE
 *  1 read_size(&probe, stat, 2^53-1, 1)       STOP_ON_NONZERO        (size unknown: end)
 *  2 read_size(&want, stat, offset, chunk)    STOP_ON_ZERO           (st_size bytes read: end)
 *  3 umem_add(&countdown, -1)                 STOP_ON_NEGATIVE       (buf full: end)
 *  4 read(fd, cursor, want)                   STOP_ON_NON_POSITIVE   (EOF or error: end)
 *  5 umem_add(&offset, n)
 *  6 umem_add(&cursor, n)                                 next → 2
 * ```
 */
export const fileReadFdStart: Plugin = defineBuiltinPlugin({
  name: 'file.readFdStart',
  description: 'fstat + read at the file position until st_size, EOF or buf full; the fd stays open',
  params: { fd: 'fd', buf: 'ptr', chunk: 'size', chunks: 'uint' },
  cells: { offset: 0, cursor: { param: 'buf' }, countdown: { param: 'chunks' }, want: 0, probe: 0 },
  scratch: { stat: STAT_BYTES },
  atoms: [
    { call: 'fstat', args: [{ param: 'fd' }, { scratch: 'stat' }], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'read_size', args: [{ ref: 'probe' }, { scratch: 'stat' }, UNKNOWN_SIZE_PROBE, 1], flags: SYSLET_STOP_ON_NONZERO },
    { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'stat' }, { cell: 'offset' }, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO },
    { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'read', args: [{ param: 'fd' }, { cell: 'cursor' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE },
    { call: 'umem_add', args: [{ ref: 'offset' }, { result: 4 }] },
    { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 4 }], next: 2 },
  ],
});

/** Atom indices of {@link fileReadFdMore}. */
export const READ_FD_MORE = { want: 0, countdown: 1, read: 2, total: 3, cursor: 4 } as const;

/**
 * file.readFdMore - {@link fileReadMore} without the closes: go on reading an open fd at its
 * position until `size` bytes (0: unknown), a 0-byte read, an error or `chunks` reads.
 *
 * ```
 *  0 read_size(&want, sizes, offset, chunk)   STOP_ON_ZERO           (sizes.st_size = size)
 *  1 umem_add(&countdown, -1)                 STOP_ON_NEGATIVE       (buf full: end)
 *  2 read(fd, cursor, want)                   STOP_ON_NON_POSITIVE   (EOF or error: end)
 *  3 umem_add(&offset, n)
 *  4 umem_add(&cursor, n)                                 next → 0
 * ```
 */
export const fileReadFdMore: Plugin = defineBuiltinPlugin({
  name: 'file.readFdMore',
  description: 'read loop at the file position until `size` bytes, EOF or buf full; the fd stays open',
  params: { fd: 'fd', buf: 'ptr', chunk: 'size', chunks: 'uint', size: 'size' },
  cells: { offset: 0, cursor: { param: 'buf' }, countdown: { param: 'chunks' }, want: 0 },
  scratch: { sizes: { size: STAT_BYTES, fields: [{ at: STAT_SIZE_OFFSET, width: 8, param: 'size' }] } },
  atoms: [
    { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'sizes' }, { cell: 'offset' }, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO },
    { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'read', args: [{ param: 'fd' }, { cell: 'cursor' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE },
    { call: 'umem_add', args: [{ ref: 'offset' }, { result: 2 }] },
    { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 2 }], next: 0 },
  ],
});

/** Atom indices of {@link filePollRead}. */
export const POLL_READ = { poll: 0, read: 1 } as const;

/**
 * file.pollRead - ppoll(fd, POLLIN) with no timeout, then read(fd, buf, count): a read of a FIFO
 * that waits (in the io_uring ring as IORING_OP_POLL_ADD, or on a cachemiss thread on the threads
 * engine) for a writer to connect and write,
 * or to leave (then the read returns 0: end of file).
 *
 * A FIFO opened O_NONBLOCK — so that its open never blocks the caller — answers a plain read
 * with 0 until a writer has connected, where Node's blocking open would still be waiting. Linux's
 * pipe poll reports POLLHUP only once a writer has come and gone, so polling first restores the
 * blocking semantics exactly.
 */
export const filePollRead: Plugin = defineBuiltinPlugin({
  name: 'file.pollRead',
  description: 'ppoll(fd, POLLIN) then read: a FIFO read that waits for a writer',
  params: { fd: 'fd', buf: 'ptr', count: 'size' },
  // struct pollfd { int fd; short events; short revents; }
  scratch: { pollfd: { size: 8, fields: [{ at: 0, width: 4, param: 'fd' }, { at: 4, width: 2, value: POLLIN }] } },
  atoms: [
    { call: 'ppoll', args: [{ scratch: 'pollfd' }, 1, 0, 0, 8], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'read', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }] },
  ],
});
