/**
 * Kernel ABI values that more than one module passes to the kernel. The flag and constant values
 * come from the headers through constants.generated.ts (re-exported here under the names these
 * modules always imported); syscall numbers come from the generated table through NR, errno
 * values from the generated errno list. Only a layout offset is spelled here.
 */

// AT_FDCWD: openat's "relative to the working directory". RWF_NOWAIT: preadv2/pwritev2 fail with
// EAGAIN instead of blocking. RESOLVE_CACHED: openat2 resolves from the dcache only, EAGAIN
// otherwise. SIGEV_*: sigev_notify (Linux numbers SIGEV_SIGNAL 0: a zeroed sigevent asks for a signal).
export { AT_FDCWD, RESOLVE_CACHED, RWF_NOWAIT, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } from './constants.generated.js';

/** Most iovecs one readv/writev/preadv/pwritev/sendmsg takes (<limits.h> IOV_MAX, the kernel's UIO_MAXIOV). */
export const IOV_MAX = 1024;

/** The kernel's PATH_MAX: a path of this many bytes or more (NUL excluded) is -ENAMETOOLONG. */
export const PATH_MAX = 4096;

/** Most bytes one read(2)/write(2) moves on Linux: the kernel clamps every count to MAX_RW_COUNT. */
export const MAX_RW_COUNT = 0x7ffff000;

/** Byte offset of st_size in the x86-64 struct stat (read_size reads it; the file plugins report it). */
export const STAT_SIZE_OFFSET = 48;
