/**
 * The sendfile copy both copyFile fallbacks run where copy_file_range cannot copy between two
 * files at all: since Linux 5.19 it refuses two file systems of different types with EXDEV
 * (tmpfs to ext4, /dev/shm to /tmp, FUSE to ext4), and some file systems answer EOPNOTSUPP,
 * ENOSYS or EINVAL. Node's copyFile (libuv) falls back to sendfile there; so do copyFileSyslet
 * (file.copyBySendfile: it opens both paths) and syslet-aio/fs's copyFile (file.copyFdsBySendfile,
 * on the two fds its copy_file_range chain left open). One loop, {@link sendfileLoop}, is both
 * chains' copy: sendfile to the end of src, ftruncate dst to the bytes copied, close both; on an
 * error, close both with dst not cut.
 */
import { SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE } from '../../engine/atom.js';
import { defineBuiltinPlugin } from '../plugin.js';
import type { ArgTemplate, AtomTemplate } from '../types.js';
import { openSourceAndDestination } from './file.js';

const SKIP_ON_ERROR = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/** An fd argument of the loop: a parameter, or an open's result. */
type FdArg = ArgTemplate<'src' | 'dst', 'total' | 'exit', never, never>;

/** Atom indices of {@link sendfileLoop}, from its first atom. */
const LOOP = { sendfile: 0, exit: 1, closeSrc: 2, closeDst: 3, total: 4, ftruncate: 5 } as const;

/**
 * sendfileLoop - the copy of both chains, as atoms `at` … `at + 5` of a chain whose cells
 * include `total` and `exit` (both 0), with `src` and `dst` the two fds (parameters, or the
 * results of the opens before it):
 *
 * ```
 * +0 sendfile(dst, src, NULL, 1 GiB)   STOP_ON_NON_POSITIVE|SKIP  next → +4
 * +1 umem_add(&exit, r+0)              STOP_ON_NEGATIVE|SKIP      next → +5
 * +2 close(src)                        ← error: no truncation
 * +3 close(dst)                        end
 * +4 umem_add(&total, n)               next → +0
 * +5 ftruncate(dst, total)             ← end of src; next → +2
 * ```
 *
 * With a NULL offset the kernel advances both file positions, so the loop needs no offset cell.
 * Atom +1 runs once, when the loop ends: 0 (end of src) goes on to the ftruncate, -errno skips it.
 * As in file.copy, `dst` is cut to the bytes copied only after the copy (never opened O_TRUNC).
 */
function sendfileLoop(at: number, src: FdArg, dst: FdArg): AtomTemplate<'src' | 'dst', 'total' | 'exit', never, never>[] {
  return [
    { call: 'sendfile', args: [dst, src, 0, 1 << 30], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: at + LOOP.total },
    { call: 'umem_add', args: [{ ref: 'exit' }, { result: at + LOOP.sendfile }], flags: SKIP_ON_ERROR, next: at + LOOP.ftruncate },
    { call: 'close', args: [src] },
    { call: 'close', args: [dst], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: at + LOOP.sendfile }], next: at + LOOP.sendfile },
    { call: 'ftruncate', args: [dst, { cell: 'total' }], next: at + LOOP.closeSrc },
  ];
}

/** Atom indices of {@link fileCopyBySendfile} (file.copy's, with sendfile for copy_file_range). */
export const COPY_BY_SENDFILE = { openSrc: 0, openDst: 1, sendfile: 3 + LOOP.sendfile, total: 3 + LOOP.total } as const;

/**
 * file.copyBySendfile - file.copy's fallback (copyFileSyslet's): the same shape as file.copy
 * with sendfile in the loop.
 *
 * Params: `src`, `dst` (ptr, C strings), `mode` (mode, e.g. 0o644).
 *
 * ```
 *  0 openat(src, O_RDONLY|O_CLOEXEC)                  STOP_ON_NEGATIVE
 *  1 openat(dst, O_WRONLY|O_CREAT|O_CLOEXEC, mode)    STOP_ON_NEGATIVE|SKIP  next → 3
 *  2 close(src)                                       ← dst failed; end
 *  3 … 8 the sendfile loop on the two fds             (see sendfileLoop)
 * ```
 *
 * An internal chain of copyFileSyslet, not in the default registry.
 */
export const fileCopyBySendfile = defineBuiltinPlugin<{ readonly src: 'ptr'; readonly dst: 'ptr'; readonly mode: 'mode' }, 'total' | 'exit', never, never>({
  name: 'file.copyBySendfile',
  description: 'openat src + openat dst (create) + sendfile loop until 0 + ftruncate to the bytes copied, then close both',
  params: { src: 'ptr', dst: 'ptr', mode: 'mode' },
  cells: { total: 0, exit: 0 },
  atoms: [
    ...openSourceAndDestination(),
    ...sendfileLoop(3, { result: COPY_BY_SENDFILE.openSrc }, { result: COPY_BY_SENDFILE.openDst }),
  ],
});

/** Atom indices of {@link fileCopyFdsBySendfile}. */
export const COPY_FDS_BY_SENDFILE = LOOP;

/**
 * file.copyFdsBySendfile - the fallback of syslet-aio/fs's copyFile on the two fds its
 * copy_file_range chain left open: the sendfile loop from their current positions, then
 * ftruncate and close both — or, on an error, close both (`exit` < 0, the error in `sendfile`).
 *
 * Params: `src`, `dst` (fd). Atoms: {@link sendfileLoop} at 0.
 */
export const fileCopyFdsBySendfile = defineBuiltinPlugin({
  name: 'file.copyFdsBySendfile',
  description: 'sendfile loop + ftruncate + close both (the copy_file_range fallback on two open fds)',
  params: { src: 'fd', dst: 'fd' },
  cells: { total: 0, exit: 0 },
  atoms: sendfileLoop(0, { param: 'src' }, { param: 'dst' }),
});
