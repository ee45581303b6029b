/**
 * The first chain of the whole-file reader (plugins/reader.ts): open, fstat and one read of at
 * most one slot, with no loop. file.readStart (file-read.ts) reads up to `chunks` pieces through a
 * loop whose bookkeeping — a countdown before each read, two umem_adds after it, the loop head's
 * read_size — is four of its ten atoms for a small cached file; the reader only ever asked it for
 * one piece. This chain makes that one piece straight: seven atoms, the same four syscalls.
 */
import { SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_NONZERO, SYSLET_STOP_ON_ZERO } from '../../engine/atom.js';
import { SEEK_SET } from '../../engine/syscalls/constants.generated.js';
import { defineBuiltinPlugin, type Plugin } from '../plugin.js';
import type { PluginDefinition } from '../types.js';
import { AT_FDCWD, STAT_BYTES } from './file.js';
import { UNKNOWN_SIZE_PROBE } from './file-read.js';

/** Atom indices of {@link fileReadFirst} (and of its cachemiss twin). */
export const READ_FIRST = {
  /** openat: the fd, or -errno (the chain stops there: nothing to close). */
  open: 0,
  /** fstat into the scratch area `stat`. */
  fstat: 1,
  /** read_size(…, UNKNOWN_SIZE_PROBE, 1): 1 when st_size is 0, which ends the chain with the fd open. */
  sizeUnknown: 2,
  /** read_size(&want, stat, 0, chunk): the piece to read; 0 only when `chunk` is 0. */
  want: 3,
  /** close when `chunk` is 0: nothing is read (ends the chain). */
  closeUnread: 4,
  /** pread64 at offset 0: the bytes read, or ≤ 0 (then `read` makes the piece again). */
  pread: 5,
  /** lseek(fd, 0, SEEK_SET) after a pread64 that did not read. */
  seek: 6,
  /** read(2) of the piece pread64 did not read: the bytes read, 0 at end of file, or -errno. */
  read: 7,
  /** close after a 0-byte read or a read error (ends the chain). */
  closeAtEof: 8,
  /** read_size(&want, stat, n of pread, chunk): nonzero ends the chain with the fd open (more to read). */
  leftAfterPread: 9,
  /** read_size(&want, stat, n of read, chunk): as leftAfterPread, after read(2). */
  leftAfterRead: 10,
  /** close once st_size bytes are read (ends the chain). */
  closeWhenDone: 11,
} as const;

function readFirstDefinition(cachemiss: boolean): PluginDefinition {
  const at = READ_FIRST;
  return {
    name: cachemiss ? 'file.readFirstOnCachemiss' : 'file.readFirst',
    description: 'openat + fstat + one pread64 (lseek + read where it reads nothing) of at most `chunk` bytes; closes the fd when that was the whole file',
    params: { path: 'ptr', flags: 'flags', mode: 'mode', buf: 'ptr', chunk: 'size' },
    cells: { want: 0, probe: 0 },
    scratch: { stat: STAT_BYTES },
    atoms: [
      /* 0 */ { call: 'openat', args: [AT_FDCWD, { param: 'path' }, { param: 'flags' }, { param: 'mode' }], flags: SYSLET_STOP_ON_NEGATIVE | (cachemiss ? SYSLET_ASYNC : 0) },
      /* 1 */ { call: 'fstat', args: [{ result: at.open }, { scratch: 'stat' }] },
      // st_size 0 says nothing about the length (procfs) or the file is not one to read ahead of
      // its type (a FIFO opened O_NONBLOCK): hand the open fd back to the caller.
      /* 2 */ { call: 'read_size', args: [{ ref: 'probe' }, { scratch: 'stat' }, UNKNOWN_SIZE_PROBE, 1], flags: SYSLET_STOP_ON_NONZERO },
      /* 3 */ { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'stat' }, 0, { param: 'chunk' }], flags: SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at.pread },
      /* 4 */ { call: 'close', args: [{ result: at.open }], next: null },
      /* 5 */ { call: 'pread64', args: [{ result: at.open }, { param: 'buf' }, { cell: 'want' }, 0], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at.leftAfterPread },
      /* 6 */ { call: 'lseek', args: [{ result: at.open }, 0, SEEK_SET] },
      /* 7 */ { call: 'read', args: [{ result: at.open }, { param: 'buf' }, { cell: 'want' }], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at.leftAfterRead },
      /* 8 */ { call: 'close', args: [{ result: at.open }], next: null },
      // What is left after the piece: none → close; some (a file longer than `chunk`, or a short
      // read) → the chain ends with the fd open and the caller reads on from the count read.
      /* 9 */ { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'stat' }, { result: at.pread }, { param: 'chunk' }], flags: SYSLET_STOP_ON_NONZERO, next: at.closeWhenDone },
      /* 10 */ { call: 'read_size', args: [{ ref: 'want' }, { scratch: 'stat' }, { result: at.read }, { param: 'chunk' }], flags: SYSLET_STOP_ON_NONZERO },
      /* 11 */ { call: 'close', args: [{ result: at.open }] },
    ],
  };
}

/**
 * file.readFirst - open a file and read its first piece into `buf`: the first chain of the
 * whole-file reader, which sizes its buffer from fstat rather than reserving one up front. It
 * reads as fs.promises.readFile does (from the start, sized by st_size) and ends in one of four
 * ways:
 *
 * - the piece was the whole file (st_size bytes) → closed (atom 11): a small file is one chain;
 * - a read returned 0 or failed → closed (atom 8); `chunk` 0 → closed unread (atom 4);
 * - st_size is larger than the piece, or the read came up short → **the fd stays open** (atom
 *   9 or 10 stopped the chain, their result > 0): the caller goes on with file.readMore from the
 *   count read (the result of atom 5, or of atom 7 when atom 10 ran);
 * - st_size is 0 → **the fd stays open** after fstat (atom 2 stopped the chain): the length is
 *   unknown (procfs) or the file is a FIFO, socket or device, whose reads the caller makes itself.
 *
 * Params: `path` (C string), `flags` (open flags; O_CLOEXEC is the caller's to add), `mode` (for
 * O_CREAT), `buf`, `chunk` (bytes read at most; `buf` must hold them).
 *
 * ```
 *  0 openat(AT_FDCWD, path, flags, mode)        STOP_ON_NEGATIVE
 *  1 fstat(fd, scratch stat)
 *  2 read_size(&probe, stat, 2^53-1, 1)         STOP_ON_NONZERO             (size unknown: end, fd open)
 *  3 read_size(&want, stat, 0, chunk)           STOP_ON_ZERO|SKIP  next → 5
 *  4 close(fd)                                  ← chunk 0; end
 *  5 pread64(fd, buf, want, 0)                  STOP_ON_NON_POSITIVE|SKIP  next → 9
 *  6 lseek(fd, 0, SEEK_SET)                     ← pread64 read nothing
 *  7 read(fd, buf, want)                        STOP_ON_NON_POSITIVE|SKIP  next → 10
 *  8 close(fd)                                  ← EOF or read error; end
 *  9 read_size(&want, stat, n of 5, chunk)      STOP_ON_NONZERO    next → 11  (more to read: end, fd open)
 * 10 read_size(&want, stat, n of 7, chunk)      STOP_ON_NONZERO               (more to read: end, fd open)
 * 11 close(fd)                                  ← st_size bytes read; end
 * ```
 *
 * pread64 and the lseek + read(2) behind it are file.readStart's (see there): a cached file of up
 * to `chunk` bytes is openat, fstat, pread64, close, all inline.
 */
export const fileReadFirst: Plugin = defineBuiltinPlugin(readFirstDefinition(false));

/**
 * file.readFirstOnCachemiss - {@link fileReadFirst} with its openat flagged SYSLET_ASYNC: the
 * whole chain runs on a cachemiss thread. For an open that may wait (a FIFO without a writer, a
 * file under a lease) and must not wait on the caller's thread.
 */
export const fileReadFirstOnCachemiss: Plugin = defineBuiltinPlugin(readFirstDefinition(true));
