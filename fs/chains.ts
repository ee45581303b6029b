/**
 * The canned syslets behind syslet-aio/fs (besides file.readStart / file.readMore / file.close
 * from the plugin layer). Each is one submission: a path call is its open (or O_PATH lookup),
 * its work and its close; an fd call is its one syscall. Path arguments are C strings in the
 * request's slot; data goes through the slot's data area or a lent buffer.
 *
 * Two conventions keep these chains inline on a cached file system:
 * - metadata by O_PATH: openat(path, O_PATH) is probed inline with openat2 RESOLVE_CACHED, and
 *   statx / faccessat2 on the resulting fd with AT_EMPTY_PATH do no path lookup, so they run
 *   inline (SYSLET_SYNC) like fstat does; an uncached path hands the whole chain to a cachemiss
 *   thread at the openat;
 * - calls that always may wait (unlinkat, renameat, ftruncate, fsync,
 *   O_CREAT opens) go to a cachemiss thread as one chain, never one hop per call.
 */
import {
  SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO, SYSLET_SYNC,
} from '../engine/atom.js';
import { AT_EMPTY_PATH, AT_FDCWD, SEEK_SET } from '../engine/syscalls/constants.generated.js';
import { STAT_BYTES, STAT_SIZE_OFFSET } from '../plugins/builtin/file.js';
import { defineBuiltinPlugin, type Plugin } from '../plugins/plugin.js';
import type { AtomTemplate, PluginDefinition } from '../plugins/types.js';
import { STATX_BYTES, STATX_MASK } from './stats.js';

const EMPTY_PATH_BYTES = 8;

/** Atom indices shared by the O_PATH chains (stat, access). */
export const BY_PATH = {
  /** openat(path, O_PATH…): the fd, or -errno (nothing else runs). */
  open: 0,
  /** statx / faccessat2 on the fd. */
  call: 1,
  /** close(fd). */
  close: 2,
} as const;

/**
 * fs.stat - openat(path, O_PATH|O_CLOEXEC[|O_NOFOLLOW]) → statx(fd, "", AT_EMPTY_PATH, basic
 * stats + btime) → close. Params: `path`, `flags` (the openat flags: O_NOFOLLOW makes it lstat).
 * The struct statx is in scratch `stx`.
 */
export const fsStat: Plugin = defineBuiltinPlugin({
  name: 'fs.stat',
  description: 'openat O_PATH + statx(AT_EMPTY_PATH) + close: stat/lstat inline when the path is cached',
  params: { path: 'ptr', flags: 'flags' },
  scratch: { stx: STATX_BYTES, empty: EMPTY_PATH_BYTES },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'statx', args: [{ result: 0 }, { scratch: 'empty' }, AT_EMPTY_PATH, STATX_MASK, { scratch: 'stx' }], flags: SYSLET_SYNC },
    { call: 'close', args: [{ result: 0 }] },
  ],
});

/**
 * fs.access - openat(path, flags) → faccessat2(fd, "", mode, AT_EMPTY_PATH) → close. `flags` is
 * O_PATH|O_CLOEXEC: the lookup that access(2) makes, without opening the file itself.
 */
export const fsAccess: Plugin = defineBuiltinPlugin({
  name: 'fs.access',
  description: 'openat O_PATH + faccessat2(AT_EMPTY_PATH) + close',
  params: { path: 'ptr', flags: 'flags', mode: 'int' },
  scratch: { empty: EMPTY_PATH_BYTES },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'faccessat2', args: [{ result: 0 }, { scratch: 'empty' }, { param: 'mode' }, AT_EMPTY_PATH], flags: SYSLET_SYNC },
    { call: 'close', args: [{ result: 0 }] },
  ],
});

/** fs.fstat - statx(fd, "", AT_EMPTY_PATH, …): FileHandle.stat, inline (as fstat is). */
export const fsFstat: Plugin = defineBuiltinPlugin({
  name: 'fs.fstat',
  description: 'statx(fd, "", AT_EMPTY_PATH)',
  params: { fd: 'fd' },
  scratch: { stx: STATX_BYTES, empty: EMPTY_PATH_BYTES },
  atoms: [{ call: 'statx', args: [{ param: 'fd' }, { scratch: 'empty' }, AT_EMPTY_PATH, STATX_MASK, { scratch: 'stx' }], flags: SYSLET_SYNC }],
});

function openDefinition(cachemiss: boolean): PluginDefinition {
  return {
    name: cachemiss ? 'fs.openOnCachemiss' : 'fs.open',
    description: 'openat + fstat: the fd for a FileHandle and its file type',
    params: { path: 'ptr', flags: 'flags', mode: 'mode' },
    scratch: { stat: STAT_BYTES },
    atoms: [
      { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: SYSLET_STOP_ON_NEGATIVE | (cachemiss ? SYSLET_ASYNC : 0) },
      { call: 'fstat', args: [{ result: 0 }, { scratch: 'stat' }] },
    ],
  };
}

/** fs.open - openat(path, flags, mode) → fstat: the fd stays open (a FileHandle owns it). */
export const fsOpen: Plugin = defineBuiltinPlugin(openDefinition(false));
/** fs.openOnCachemiss - {@link fsOpen} on a cachemiss thread, for opens that may wait. */
export const fsOpenOnCachemiss: Plugin = defineBuiltinPlugin(openDefinition(true));

/** Byte offset of st_mode in the x86-64 struct stat. */
export const STAT_MODE_OFFSET = 24;

function single(name: string, description: string, params: PluginDefinition['params'], atom: AtomTemplate): Plugin {
  return defineBuiltinPlugin({ name, description, params, atoms: [atom] });
}

/** fs.pread - pread64(fd, buf, count, offset): FileHandle.read at a position. */
export const fsPread = single('fs.pread', 'pread64', { fd: 'fd', buf: 'ptr', count: 'size', offset: 'off64' },
  { call: 'pread64', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }, { param: 'offset' }] });
/** fs.read - read(fd, buf, count): FileHandle.read at the file position. */
export const fsRead = single('fs.read', 'read', { fd: 'fd', buf: 'ptr', count: 'size' },
  { call: 'read', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }] });
/** fs.pwrite - pwrite64(fd, buf, count, offset). */
export const fsPwrite = single('fs.pwrite', 'pwrite64', { fd: 'fd', buf: 'ptr', count: 'size', offset: 'off64' },
  { call: 'pwrite64', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }, { param: 'offset' }] });
/** fs.write - write(fd, buf, count). */
export const fsWrite = single('fs.write', 'write', { fd: 'fd', buf: 'ptr', count: 'size' },
  { call: 'write', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }] });
/** fs.preadv - preadv(fd, iov, iovcnt, offset, 0). */
export const fsPreadv = single('fs.preadv', 'preadv', { fd: 'fd', iov: 'ptr', count: 'int', offset: 'off64' },
  { call: 'preadv', args: [{ param: 'fd' }, { param: 'iov' }, { param: 'count' }, { param: 'offset' }, 0] });
/** fs.readv - readv(fd, iov, iovcnt). */
export const fsReadv = single('fs.readv', 'readv', { fd: 'fd', iov: 'ptr', count: 'int' },
  { call: 'readv', args: [{ param: 'fd' }, { param: 'iov' }, { param: 'count' }] });
/** fs.pwritev - pwritev(fd, iov, iovcnt, offset, 0). */
export const fsPwritev = single('fs.pwritev', 'pwritev', { fd: 'fd', iov: 'ptr', count: 'int', offset: 'off64' },
  { call: 'pwritev', args: [{ param: 'fd' }, { param: 'iov' }, { param: 'count' }, { param: 'offset' }, 0] });
/** fs.writev - writev(fd, iov, iovcnt). */
export const fsWritev = single('fs.writev', 'writev', { fd: 'fd', iov: 'ptr', count: 'int' },
  { call: 'writev', args: [{ param: 'fd' }, { param: 'iov' }, { param: 'count' }] });
/** fs.ftruncate - ftruncate(fd, length). */
export const fsFtruncate = single('fs.ftruncate', 'ftruncate', { fd: 'fd', length: 'off64' },
  { call: 'ftruncate', args: [{ param: 'fd' }, { param: 'length' }] });
/** fs.fsync - fsync(fd). */
export const fsFsync = single('fs.fsync', 'fsync', { fd: 'fd' }, { call: 'fsync', args: [{ param: 'fd' }] });
/** fs.fdatasync - fdatasync(fd). */
export const fsFdatasync = single('fs.fdatasync', 'fdatasync', { fd: 'fd' }, { call: 'fdatasync', args: [{ param: 'fd' }] });
/** fs.unlink - unlinkat(AT_FDCWD, path, flags): flags 0 unlinks a file, AT_REMOVEDIR a directory. */
export const fsUnlink = single('fs.unlink', 'unlinkat', { path: 'ptr', flags: 'flags' },
  { call: 'unlinkat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }] });
/** fs.rename - renameat(AT_FDCWD, from, AT_FDCWD, to). */
export const fsRename = single('fs.rename', 'renameat', { from: 'ptr', to: 'ptr' },
  { call: 'renameat', args: [AT_FDCWD, { param: 'from' }, AT_FDCWD, { param: 'to' }] });

/** Atom indices of {@link fsTruncate}. */
export const TRUNCATE = { open: 0, ftruncate: 1, close: 2 } as const;

/** fs.truncate - openat(path, O_RDWR|O_CLOEXEC) → ftruncate(fd, length) → close: fsp.truncate. */
export const fsTruncate: Plugin = defineBuiltinPlugin({
  name: 'fs.truncate',
  description: 'openat O_RDWR + ftruncate + close',
  params: { path: 'ptr', flags: 'flags', length: 'off64' },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'ftruncate', args: [{ result: 0 }, { param: 'length' }] },
    { call: 'close', args: [{ result: 0 }] },
  ],
});

/** Atom indices of {@link fsWriteFile} and {@link fsWriteFileFlush} (-1: the chain has no such atom). */
export interface WriteFileAtoms {
  /** openat: the fd or -errno. */
  readonly open: number;
  /** pwrite64: the last positional write's result (negative: the fd has no position, or an error write(2) then reports). */
  readonly pwrite: number;
  /** write: the last write(2)'s result, made when pwrite64 failed (a negative one is the error). */
  readonly write: number;
  /** fsync after the last write (`flush: true`). */
  readonly fsync: number;
  /** The close after every byte was written (and synced). */
  readonly close: number;
}

const WRITE_FILE_PARAMS = { path: 'ptr', flags: 'flags', mode: 'mode', buf: 'ptr', chunk: 'size', length: 'size' } as const;
// `want` starts at `chunk` (the first write's size: min(length, MAX_RW_COUNT)), so the first write
// needs no read_size before it.
const WRITE_CELLS = { written: 0, cursor: { param: 'buf' }, want: { param: 'chunk' } } as const;
// read_size takes its limit from a struct stat's st_size: a stat-shaped area carries `length`,
// so the loop asks each later write for exactly what is left (there is no subtraction atom).
const WRITE_SIZES = { sizes: { size: STAT_BYTES, fields: [{ at: STAT_SIZE_OFFSET, width: 8 as const, param: 'length' as const }] } };

/**
 * The writeFile chain: openat, then the write loop, then [fsync and] close.
 *
 * Each chunk is written with pwrite64 at the count written so far, which on a freshly opened fd
 * writes what write(2) at the file position would (the position starts at 0 and only this chain
 * moves it; with O_APPEND Linux's pwrite appends whatever the offset, as write does). A
 * positional write is what io_uring can make on a regular file (a write at the file position goes
 * to a cachemiss thread: the ring does not serialise the position), so on the io_uring engine a
 * small file is two ring requests — the open and the write — and no thread hop at all, where
 * write(2) cost a JS worker thread's wake-up, its executor run and an eventfd poke per file. When
 * pwrite64 fails, the chunk is made again as lseek(fd, written, SEEK_SET) and write(2): a fd with
 * no position (a FIFO, a socket, a terminal: pwrite64 answers ESPIPE, and so does the lseek) gets
 * write(2) as from Node, and any other failure is met again by write(2) at the same place, so the
 * error a caller sees is Node's (EBADF for a read-only fd, ENOSPC...) and a write after a failed
 * pwrite64 can never land at the file position the pwrites left at 0. On a pipe each chunk tries
 * pwrite64 first: two failed calls more per chunk.
 *
 * read_size comes after the write: a small regular file is openat, pwrite64, two umem_add,
 * read_size, close — three syscalls and three private atoms. `length` must be above 0 (an empty
 * write is {@link fsWriteFileEmpty}: Node makes no write at all then, and a write of 0 bytes to
 * an fd opened read-only would fail where Node's call succeeds).
 *
 * ```
 *  0 openat(AT_FDCWD, path, flags, mode)        STOP_ON_NEGATIVE|ASYNC
 *  1 pwrite64(fd, cursor, want, written)        STOP_ON_NON_POSITIVE|SKIP  next → 5
 *  2 lseek(fd, written, SEEK_SET)               ← pwrite64 failed
 *  3 write(fd, cursor, want)                    STOP_ON_NON_POSITIVE|SKIP  next → 7
 *  4 close(fd)                                  ← write error; end
 *  5 umem_add(&written, n of 1)
 *  6 umem_add(&cursor, n of 1)                                             next → 9
 *  7 umem_add(&written, n of 3)
 *  8 umem_add(&cursor, n of 3)
 *  9 read_size(&want, sizes, written, chunk)    STOP_ON_ZERO|SKIP          next → 1   (sizes.st_size = length)
 * 10 close(fd)  |  fsync(fd)                    ← all written; end  |  (flush) then
 * [11 close(fd)]
 * ```
 * (Each write has its own pair of umem_add: an atom reads one fixed atom's result.)
 */
function writeFileDefinition(flush: boolean): PluginDefinition {
  return {
    name: flush ? 'fs.writeFileFlush' : 'fs.writeFile',
    description: flush ? 'openat + pwrite64/write loop + fsync + close' : 'openat + pwrite64/write loop + close',
    params: WRITE_FILE_PARAMS,
    cells: WRITE_CELLS,
    scratch: WRITE_SIZES,
    atoms: [
      /* 0 */ { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_ASYNC },
      /* 1 */ { call: 'pwrite64', args: [{ result: 0 }, { cell: 'cursor' }, { cell: 'want' }, { cell: 'written' }], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 5 },
      /* 2 */ { call: 'lseek', args: [{ result: 0 }, { cell: 'written' }, SEEK_SET] },
      /* 3 */ { call: 'write', args: [{ result: 0 }, { cell: 'cursor' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 7 },
      /* 4 */ { call: 'close', args: [{ result: 0 }], next: null },
      /* 5 */ { call: 'umem_add', args: [{ ref: 'written' }, { result: 1 }] },
      /* 6 */ { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 1 }], next: 9 },
      /* 7 */ { call: 'umem_add', args: [{ ref: 'written' }, { result: 3 }] },
      /* 8 */ { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 3 }] },
      /* 9 */ { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'sizes' }, { cell: 'written' }, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 1 },
      /* 10 */ flush ? { call: 'fsync', args: [{ result: 0 }] } : { call: 'close', args: [{ result: 0 }], next: null },
      ...(flush ? [{ call: 'close', args: [{ result: 0 }] } as const] : []),
    ],
  };
}

/**
 * fs.writeFile - openat(path, flags, mode) → write loop at the file position until `length`
 * (> 0) bytes of `buf` are written → close (fsp.writeFile with flag and mode; O_APPEND appends).
 *
 * The openat is SYSLET_ASYNC: the whole chain runs on one cachemiss thread. An open that creates
 * or truncates cannot be probed inline (openat2 RESOLVE_CACHED refuses O_CREAT and O_TRUNC), a
 * write-only open of a FIFO would wait for a reader, and ext4 cannot say "would block" for a
 * buffered write: trying inline first would only add a failed syscall.
 */
export const fsWriteFile: Plugin = defineBuiltinPlugin(writeFileDefinition(false));
/** fs.writeFileFlush - {@link fsWriteFile} with `flush: true`: fsync after the last write, then close. */
export const fsWriteFileFlush: Plugin = defineBuiltinPlugin(writeFileDefinition(true));
/** Atom indices of {@link fsWriteFile}. */
export const WRITE_FILE: WriteFileAtoms = { open: 0, pwrite: 1, write: 3, fsync: -1, close: 10 };
/** Atom indices of {@link fsWriteFileFlush}. */
export const WRITE_FILE_FLUSH: WriteFileAtoms = { open: 0, pwrite: 1, write: 3, fsync: 10, close: 11 };

function writeFileEmptyDefinition(flush: boolean): PluginDefinition {
  return {
    name: flush ? 'fs.writeFileEmptyFlush' : 'fs.writeFileEmpty',
    description: flush ? 'openat + fsync + close: writeFile of no bytes' : 'openat + close: writeFile of no bytes',
    params: { path: 'ptr', flags: 'flags', mode: 'mode' },
    atoms: [
      { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: SYSLET_STOP_ON_NEGATIVE | SYSLET_ASYNC },
      ...(flush ? [{ call: 'fsync', args: [{ result: 0 }] } as const] : []),
      { call: 'close', args: [{ result: 0 }] },
    ],
  };
}

/**
 * fs.writeFileEmpty - writeFile of no bytes: openat(path, flags, mode) → close, as Node makes
 * no write for empty data (its flags still create or truncate the file).
 */
export const fsWriteFileEmpty: Plugin = defineBuiltinPlugin(writeFileEmptyDefinition(false));
/** fs.writeFileEmptyFlush - {@link fsWriteFileEmpty} with `flush: true`: openat → fsync → close. */
export const fsWriteFileEmptyFlush: Plugin = defineBuiltinPlugin(writeFileEmptyDefinition(true));
/** Atom indices of {@link fsWriteFileEmpty}. */
export const WRITE_FILE_EMPTY: WriteFileAtoms = { open: 0, pwrite: -1, write: -1, fsync: -1, close: 1 };
/** Atom indices of {@link fsWriteFileEmptyFlush}. */
export const WRITE_FILE_EMPTY_FLUSH: WriteFileAtoms = { open: 0, pwrite: -1, write: -1, fsync: 1, close: 2 };

function writeFdDefinition(append: boolean): PluginDefinition {
  return {
    name: append ? 'fs.appendFd' : 'fs.writeFd',
    description: append ? 'pwrite64 loop at offset 0 of an O_APPEND fd until `length` bytes are written' : 'write loop at the file position until `length` bytes are written',
    params: { fd: 'fd', buf: 'ptr', chunk: 'size', length: 'size' },
    cells: WRITE_CELLS,
    scratch: WRITE_SIZES,
    atoms: [
      { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'sizes' }, { cell: 'written' }, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO },
      append
        ? { call: 'pwrite64', args: [{ param: 'fd' }, { cell: 'cursor' }, { cell: 'want' }, 0], flags: SYSLET_STOP_ON_NON_POSITIVE }
        : { call: 'write', args: [{ param: 'fd' }, { cell: 'cursor' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE },
      { call: 'umem_add', args: [{ ref: 'written' }, { result: 1 }] },
      { call: 'umem_add', args: [{ ref: 'cursor' }, { result: 1 }], next: 0 },
    ],
  };
}

/**
 * fs.writeFd - the write loop of {@link fsWriteFile} on an open fd (FileHandle.writeFile and
 * appendFile): writes `length` bytes of `buf` at the file position, stops at the first error.
 */
export const fsWriteFd: Plugin = defineBuiltinPlugin(writeFdDefinition(false));
/**
 * fs.appendFd - {@link fsWriteFd} for a regular file opened write-only with O_APPEND: pwrite64 at
 * offset 0, which Linux appends (as fs.writeFile's pwrite64 does), and which the io_uring engine
 * can send to the ring where a write at the file position goes to a cachemiss thread.
 */
export const fsAppendFd: Plugin = defineBuiltinPlugin(writeFdDefinition(true));

/** Atom indices of {@link fsWriteFd} and {@link fsAppendFd}. */
export const WRITE_FD = { write: 1, written: 2 } as const;

