/**
 * The canned syslets of syslet-aio/fs's copyFile: libuv's uv_fs_copyfile as one chain (open
 * both, fstat both, copy_file_range to the end, ftruncate, close both), its sendfile fallback on
 * the two fds it leaves open, and the close of both.
 */
import {
  SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NON_POSITIVE,
} from '../engine/atom.js';
import { AT_FDCWD, O_CLOEXEC } from '../engine/syscalls/constants.generated.js';
import { STAT_BYTES } from '../plugins/builtin/file.js';
import { defineBuiltinPlugin, type Plugin } from '../plugins/plugin.js';

const STOP_OR_SKIP = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/** Atom indices of {@link fsCopyFile}. */
export const COPY_FILE = {
  openSrc: 0,
  fstatSrc: 1,
  openDst: 2,
  closeSrcOnError: 3,
  fstatDst: 4,
  copy: 5,
  /** umem_add(&exit, copy's last result): negative ends the chain with both fds open. */
  exit: 6,
  ftruncate: 7,
  closeSrc: 8,
  closeDst: 9,
  total: 10,
} as const;

/**
 * fs.copyFile - copy `src` to `dst` as libuv's uv_fs_copyfile does, in one chain: open both
 * (dst created with `mode`, never truncated before it is known not to be `src` itself), fstat
 * both, copy_file_range to end of file, then ftruncate dst to the bytes copied and close both.
 *
 * ```
 *  0 openat(src, O_RDONLY|O_CLOEXEC)                 STOP_ON_NEGATIVE
 *  1 fstat(src, stSrc)
 *  2 openat(dst, O_WRONLY|O_CREAT|O_CLOEXEC[|O_EXCL], mode)  STOP_ON_NEGATIVE|SKIP  next → 4
 *  3 close(src)                                      ← dst failed; end
 *  4 fstat(dst, stDst)
 *  5 copy_file_range(src, NULL, dst, NULL, 1 GiB, 0) STOP_ON_NON_POSITIVE|SKIP      next → 10
 *  6 umem_add(&exit, r5)                             STOP_ON_NEGATIVE   (error: end, both fds open)
 *  7 ftruncate(dst, total)                           ← end of src: cut what dst had beyond it
 *  8 close(src)
 *  9 close(dst)                                      end
 * 10 umem_add(&total, n)                                                             next → 5
 * ```
 *
 * Atom 6 runs once (when the loop ends), so `exit` starts at 0 and its result is exactly the
 * copy's last result. On an error — EXDEV or EINVAL across file systems, EINVAL when src and dst
 * are one file — the chain stops there with both fds open and no byte of dst touched: the caller
 * compares the two stats (same dev and ino: nothing to do, as libuv) or falls back to sendfile
 * on the open fds (file.copyFdsBySendfile).
 */
export const fsCopyFile: Plugin = defineBuiltinPlugin({
  name: 'fs.copyFile',
  description: 'openat src/dst + fstat both + copy_file_range loop + ftruncate + close both',
  params: { src: 'ptr', dst: 'ptr', dstFlags: 'flags', mode: 'mode' },
  cells: { total: 0, exit: 0 },
  scratch: { stSrc: STAT_BYTES, stDst: STAT_BYTES },
  atoms: [
    { call: 'openat', args: [AT_FDCWD, { param: 'src' }, O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'fstat', args: [{ result: 0 }, { scratch: 'stSrc' }] },
    { call: 'openat', args: [AT_FDCWD, { param: 'dst' }, { param: 'dstFlags' }, { param: 'mode' }], flags: STOP_OR_SKIP, next: 4 },
    { call: 'close', args: [{ result: 0 }], next: null },
    { call: 'fstat', args: [{ result: 2 }, { scratch: 'stDst' }] },
    { call: 'copy_file_range', args: [{ result: 0 }, 0, { result: 2 }, 0, 1 << 30, 0], flags: SYSLET_STOP_ON_NON_POSITIVE | SYSLET_SKIP_TO_NEXT_ON_STOP, next: 10 },
    { call: 'umem_add', args: [{ ref: 'exit' }, { result: 5 }], flags: SYSLET_STOP_ON_NEGATIVE },
    { call: 'ftruncate', args: [{ result: 2 }, { cell: 'total' }] },
    { call: 'close', args: [{ result: 0 }] },
    { call: 'close', args: [{ result: 2 }], next: null },
    { call: 'umem_add', args: [{ ref: 'total' }, { result: 5 }], next: 5 },
  ],
});

/** fs.closeTwo - close(a) → close(b): ends a copy that stopped with both fds open. */
export const fsCloseTwo: Plugin = defineBuiltinPlugin({
  name: 'fs.closeTwo',
  description: 'close both fds',
  params: { a: 'fd', b: 'fd' },
  atoms: [
    { call: 'close', args: [{ param: 'a' }] },
    { call: 'close', args: [{ param: 'b' }] },
  ],
});
