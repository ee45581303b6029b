/**
 * The file samples: chains that show why a syslet is more than one syscall. Each one does in a
 * single submission what would otherwise be three to eight round trips through the event loop,
 * and each runs wholly inline while the dentries and pages it touches are cached.
 *
 * Every path parameter is the address of a NUL-terminated string in engine memory (or in a
 * registered buffer); see plugins/helpers.ts for the forms that take a JavaScript string.
 */
import {
  SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO,
} from '../../engine/atom.js';
import { defineBuiltinPlugin } from '../plugin.js';
import type { AtomTemplate } from '../types.js';
import { AT_FDCWD, STAT_SIZE_OFFSET } from '../../engine/syscalls/abi.js';
import { O_CLOEXEC, O_CREAT, O_RDONLY, O_WRONLY } from '../../engine/syscalls/constants.generated.js';
import { STRUCT_SIZES } from '../../engine/syscalls/table.js';

export { AT_FDCWD, STAT_SIZE_OFFSET };
/** O_RDONLY | O_CLOEXEC: an fd a chain opens must never leak into a child process. */
export const O_RDONLY_CLOEXEC = O_RDONLY | O_CLOEXEC;
/** openat flags of file.copy's destination: created if missing, cut only after the copy. */
export const O_WRONLY_CREAT_CLOEXEC = O_WRONLY | O_CREAT | O_CLOEXEC;
/** Bytes of the x86-64 struct stat. */
export const STAT_BYTES = STRUCT_SIZES.stat;

const SKIP_ON_ERROR = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/**
 * openSourceAndDestination - the first three atoms of the whole-file copies (file.copy,
 * file.copyBySendfile): open `src` for reading and `dst` for writing (created with `mode`, not
 * truncated); when `dst` fails, close `src` and end. The copy loop starts at atom 3.
 */
export function openSourceAndDestination(): AtomTemplate<'src' | 'dst' | 'mode', never, never, never>[] {
  return [
    { call: 'openat', args: [AT_FDCWD, { param: 'src' }, O_RDONLY_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'openat', args: [AT_FDCWD, { param: 'dst' }, O_WRONLY_CREAT_CLOEXEC, { param: 'mode' }], flags: SKIP_ON_ERROR, next: 3 },
    { call: 'close', args: [{ result: 0 }], next: null },
  ];
}

/**
 * file.openStat - openat(path, O_RDONLY|O_CLOEXEC) and fstat into `statbuf`, in one go
 * (Linus, 2007: "quite workable for open+fstat kind of things").
 *
 * Params: `path` (ptr, C string), `statbuf` (ptr, 144 bytes).
 * Result: atom 0 is the fd, which the caller now owns and must close; atom 1 is 0 and `statbuf`
 * holds the struct stat. A failed open stops the chain there (fstat does not run).
 */
export const fileOpenStat = defineBuiltinPlugin({
  name: 'file.openStat',
  description: 'openat + fstat: the fd (caller closes it) and its struct stat in one submission',
  params: { path: 'ptr', statbuf: 'ptr' },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'fstat', args: [{ result: 0 }, { param: 'statbuf' }] },
  ],
});

/** Atom indices of {@link fileReadAll}, for reading its results. */
export const READ_ALL = {
  /** openat: the fd, or -errno (the chain stops there). */
  open: 0,
  /** fstat into the scratch area `stat`. */
  fstat: 1,
  /** read_size: bytes the next read asks for; 0 once st_size bytes have been read (the last run's value). */
  want: 2,
  /** close after every byte fstat promised was read (ends the chain). */
  closeWhenDone: 3,
  /**
   * umem_add(-1) on the countdown cell, just before each read: reads still allowed after this one
   * (the last run's value); -1 means `chunks` reads were already made and no read followed.
   */
  countdown: 4,
  /** close when `chunks` reads were made and the file was not yet done: the buffer is full (ends the chain). */
  closeWhenFull: 5,
  /** pread64 at the cursor: bytes read by the last piece, 0 at end of file, or -errno (not executed: no read was allowed). */
  read: 6,
  /** close after a 0-byte read (end of file) or a read error (ends the chain). */
  closeAtEof: 7,
  /** umem_add on the offset cell: total bytes read (not executed: 0 bytes). */
  total: 8,
  /** umem_add on the cursor cell: advances the write position in `buf`; loops back to read_size. */
  cursor: 9,
} as const;

/**
 * file.readAll - open a file and read it into `buf` in pieces, then close it. It stops as
 * fs.promises.readFile does: once the bytes read reach fstat's st_size, or at a 0-byte read;
 * a file that reports st_size 0 (procfs, sysfs) is read until a read returns 0.
 *
 * Params: `path` (ptr, C string); `buf` (ptr); `chunk` (size: bytes per read); `chunks` (uint:
 * the most reads to make). `buf` must hold `chunk * chunks` bytes: every read asks for at most
 * `chunk` bytes at the cursor, and there are at most `chunks` of them, so the chain can never
 * write past `buf + chunk * chunks` — a short read only means fewer bytes, never an overrun.
 * The countdown is checked before each read, so `chunks` = 0 makes no read at all (the chain
 * opens, fstats and closes). umem_add returns the new count as a signed 64-bit word, so a
 * `chunks` above 2^63 is negative once decremented and makes no read either.
 *
 * ```
 *  0 openat(AT_FDCWD, path, O_RDONLY|O_CLOEXEC)  STOP_ON_NEGATIVE            (nothing to close)
 *  1 fstat(fd, scratch stat)
 *  2 read_size(&want, stat, offset, chunk)       STOP_ON_ZERO|SKIP           next → 4
 *  3 close(fd)                                   ← all st_size bytes read; end
 *  4 umem_add(&countdown, -1)                    STOP_ON_NEGATIVE|SKIP       next → 6
 *  5 close(fd)                                   ← `chunks` reads already made: buffer full; end
 *  6 pread64(fd, cursor, want, offset)           STOP_ON_NON_POSITIVE|SKIP   next → 8
 *  7 close(fd)                                   ← EOF (0) or read error; end
 *  8 umem_add(&offset, n)                        ← total bytes read so far
 *  9 umem_add(&cursor, n)                                                    next → 2
 * ```
 *
 * The countdown starts at `chunks`; the values `chunks` - 1 … 0 let a read happen and -1 stops,
 * so exactly `chunks` reads are allowed. A file that fills `chunk * chunks` exactly ends at
 * atom 3 (read_size finds nothing left); only a file with bytes left over ends at atom 5.
 *
 * Why read_size: without it the loop only learns that the file has ended from a read that
 * returns 0, and the read before it asks for a whole chunk, so a cached 4 KiB file cost two
 * extra syscalls (the RWF_NOWAIT probe finishes a short read that ends on a page boundary with
 * one more read). Asking for exactly st_size - offset bytes makes that read full, and the next
 * read_size ends the loop without a syscall: openat, fstat, pread64, close.
 *
 * Reading the outcome: atom 0 < 0 is the open's errno; atom 6 < 0 is a read error (the fd is
 * still closed, by atom 7); atom 8 is the total (not executed: 0 bytes); atom 3 executed means
 * st_size bytes were read, atom 7 that a read returned 0 or failed, atom 5 that `chunks` reads
 * were made (none when `chunks` is 0) before st_size or EOF was reached: the buffer is full and
 * the file may hold more. Atom 6 not executed means no read was allowed.
 * The struct stat is in the instance's scratch area `stat` (st_size at {@link STAT_SIZE_OFFSET}).
 *
 * Cost: 4 + 5 atoms per piece read (9 for a cached 4 KiB file: 0 1 2 4 6 8 9 2 3, 4 of them
 * syscalls); a file that reports st_size 0 ends with a 0-byte read instead, two atoms more, and a
 * full buffer ends one atom more. A cached file runs wholly inline (preadv2 RWF_NOWAIT and
 * openat2 RESOLVE_CACHED succeed); a read that would block moves the rest of the chain to a
 * cachemiss thread, close included.
 */
export const fileReadAll = defineBuiltinPlugin({
  name: 'file.readAll',
  description: 'openat + fstat + read_size/pread64 loop (umem_add cursor) until st_size, EOF or buf full, then close',
  params: { path: 'ptr', buf: 'ptr', chunk: 'size', chunks: 'uint' },
  cells: { offset: 0, cursor: { param: 'buf' }, countdown: { param: 'chunks' }, want: 0 },
  scratch: { stat: STAT_BYTES },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'fstat', args: [{ result: 0 }, { scratch: 'stat' }] },
    // 0 means every byte fstat promised is in: close without another read.
    {
      call: 'read_size',
      args: [{ ref: 'want' }, { scratch: 'stat' }, { cell: 'offset' }, { param: 'chunk' }],
      flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 4,
    },
    { call: 'close', args: [{ result: 0 }], next: null },
    // Before each read: umem_add returns the new count as a signed word, so chunks - 1 … 0 allow a
    // read and -1 means `chunks` reads were made (chunks = 0: none at all). Close: buffer full.
    { call: 'umem_add', args: [{ ref: 'countdown' }, -1], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 6 },
    { call: 'close', args: [{ result: 0 }], next: null },
    {
      call: 'pread64',
      args: [{ result: 0 }, { cell: 'cursor' }, { cell: 'want' }, { cell: 'offset' }],
      flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 8,
    },
    { call: 'close', args: [{ result: 0 }], next: null },
    { call: 'umem_add', args: [{ ref: 'offset' }, { result: 6 }] },
    { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 6 }], next: 2 },
  ],
});

/** Atom indices of {@link fileCopy}. */
export const COPY = {
  /** openat of `src`: its fd, or -errno (the chain stops there). */
  openSrc: 0,
  /** openat of `dst` (created if missing, never truncated before the copy): its fd, or -errno. */
  openDst: 1,
  /** close of `src` after `dst` failed to open (ends the chain). */
  closeSrcOnError: 2,
  /** copy_file_range: bytes copied by the last call, 0 at end of source, or -errno. */
  copy: 3,
  /** umem_add on the exit cell: the copy's last result once the loop ended (0, or -errno). */
  exit: 4,
  /** close of `src` once copying ended (done or error). */
  closeSrc: 5,
  /** close of `dst` (ends the chain). */
  closeDst: 6,
  /** umem_add on the total cell: bytes copied so far (not executed: an empty file). */
  total: 7,
  /** ftruncate of `dst` to the bytes copied, after a copy that reached the end of `src`. */
  truncate: 8,
} as const;

/**
 * file.copy - copy `src` to `dst` (created with `mode` if missing) in the kernel with a
 * copy_file_range loop, cut `dst` to the bytes copied, then close both.
 *
 * Params: `src`, `dst` (ptr, C strings), `mode` (mode, e.g. 0o644).
 *
 * ```
 *  0 openat(src, O_RDONLY|O_CLOEXEC)                  STOP_ON_NEGATIVE
 *  1 openat(dst, O_WRONLY|O_CREAT|O_CLOEXEC, mode)    STOP_ON_NEGATIVE|SKIP  next → 3
 *  2 close(src)                                       ← dst failed; end
 *  3 copy_file_range(src, NULL, dst, NULL, 1 GiB, 0)  STOP_ON_NON_POSITIVE|SKIP  next → 7
 *  4 umem_add(&exit, r3)                              STOP_ON_NEGATIVE|SKIP  next → 8
 *  5 close(src)                                       ← error: no truncation
 *  6 close(dst)                                       end
 *  7 umem_add(&total, n)                              next → 3
 *  8 ftruncate(dst, total)                            ← end of src: cut what dst had beyond it; next → 5
 * ```
 *
 * `dst` is not opened with O_TRUNC: when `src` and `dst` are one file (the same path, a link,
 * `dir/../dir/f`), truncating it first emptied the very source the loop then copied from, and the
 * copy "succeeded" with 0 bytes (hunt19). Copying first and cutting after, as syslet-aio/fs's
 * copyFile does, leaves one file untouched: copy_file_range refuses overlapping ranges of one
 * file with EINVAL, and an error skips the ftruncate. After an error in the middle of a copy
 * (ENOSPC), `dst` holds the bytes copied over its old ones, not cut.
 *
 * With NULL offsets the kernel advances both file positions, so the loop needs no offset cell;
 * it ends at 0 (end of the source). Atom 7 is the bytes copied (not executed: an empty file),
 * atom 3 < 0 a copy error (EXDEV across some file systems, EINVAL for one file). copy_file_range
 * may block, so this chain usually finishes on a cachemiss thread.
 */
export const fileCopy = defineBuiltinPlugin({
  name: 'file.copy',
  description: 'openat src + openat dst (create) + copy_file_range loop until 0 + ftruncate to the bytes copied, then close both',
  params: { src: 'ptr', dst: 'ptr', mode: 'mode' },
  cells: { total: 0, exit: 0 },
  atoms: [
    ...openSourceAndDestination(),
    {
      call: 'copy_file_range',
      args: [{ result: 0 }, 0, { result: 1 }, 0, 1 << 30, 0],
      flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 7,
    },
    // Runs once, when the loop ends: 0 (end of src) goes on to the ftruncate, -errno skips it.
    { call: 'umem_add', args: [{ ref: 'exit' }, { result: 3 }], flags: SKIP_ON_ERROR, next: 8 },
    { call: 'close', args: [{ result: 0 }] },
    { call: 'close', args: [{ result: 1 }], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: 3 }], next: 3 },
    { call: 'ftruncate', args: [{ result: 1 }, { cell: 'total' }], next: 5 },
  ],
});
