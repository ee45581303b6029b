/**
 * file.copyBySendfile - file.copy's fallback when copy_file_range cannot copy between the two
 * files at all: since Linux 5.19 it refuses two file systems of different types with EXDEV
 * (tmpfs to ext4, /dev/shm to /tmp, FUSE to ext4), and some file systems answer EOPNOTSUPP,
 * ENOSYS or EINVAL. Node's copyFile (libuv) falls back to sendfile there; so does this chain, the
 * same shape as file.copy with sendfile in the loop.
 *
 * Params: `src`, `dst` (ptr, C strings), `mode` (mode, e.g. 0o644).
 *
 * ```
 *  0 openat(src, O_RDONLY|O_CLOEXEC)                  STOP_ON_NEGATIVE
 *  1 openat(dst, O_WRONLY|O_CREAT|O_CLOEXEC, mode)    STOP_ON_NEGATIVE|SKIP  next → 3
 *  2 close(src)                                       ← dst failed; end
 *  3 sendfile(dst, src, NULL, 1 GiB)                  STOP_ON_NON_POSITIVE|SKIP  next → 7
 *  4 umem_add(&exit, r3)                              STOP_ON_NEGATIVE|SKIP  next → 8
 *  5 close(src)                                       ← error: no truncation
 *  6 close(dst)                                       end
 *  7 umem_add(&total, n)                              next → 3
 *  8 ftruncate(dst, total)                            ← end of src; next → 5
 * ```
 *
 * As in file.copy, `dst` is cut to the bytes copied only after the copy (never opened O_TRUNC).
 * An internal chain of copyFileSyslet, not in the default registry.
 */
import { SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE } from '../../engine/atom.js';
import { defineBuiltinPlugin } from '../plugin.js';
import { AT_FDCWD } from '../../engine/syscalls/abi.js';
import { O_RDONLY_CLOEXEC, O_WRONLY_CREAT_CLOEXEC } from './file.js';

const SKIP_ON_ERROR = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/** Atom indices of {@link fileCopyBySendfile} (file.copy's, with sendfile for copy_file_range). */
export const COPY_BY_SENDFILE = { openSrc: 0, openDst: 1, sendfile: 3, total: 7 } as const;

/** The chain above. */
export const fileCopyBySendfile = defineBuiltinPlugin({
  name: 'file.copyBySendfile',
  description: 'openat src + openat dst (create) + sendfile loop until 0 + ftruncate to the bytes copied, then close both',
  params: { src: 'ptr', dst: 'ptr', mode: 'mode' },
  cells: { total: 0, exit: 0 },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'src' }, O_RDONLY_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'openat', args: [AT_FDCWD, { param: 'dst' }, O_WRONLY_CREAT_CLOEXEC, { param: 'mode' }], flags: SKIP_ON_ERROR, next: 3 },
    { call: 'close', args: [{ result: 0 }], next: null },
    {
      call: 'sendfile',
      args: [{ result: 1 }, { result: 0 }, 0, 1 << 30],
      flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP,
      next: 7,
    },
    { call: 'umem_add', args: [{ ref: 'exit' }, { result: 3 }], flags: SKIP_ON_ERROR, next: 8 },
    { call: 'close', args: [{ result: 0 }] },
    { call: 'close', args: [{ result: 1 }], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: 3 }], next: 3 },
    { call: 'ftruncate', args: [{ result: 1 }, { cell: 'total' }], next: 5 },
  ],
});
