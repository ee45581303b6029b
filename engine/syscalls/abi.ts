/**
 * Kernel ABI values that more than one module passes to the kernel: spelled once, here. (Syscall
 * numbers come from the generated table through NR; errno values from the generated errno list.)
 */

/** openat's "relative to the working directory". */
export const AT_FDCWD = -100;
/** preadv2/pwritev2 flag: fail with EAGAIN instead of blocking. */
export const RWF_NOWAIT = 0x8;
/** openat2 resolve flag: resolve from the dcache only, EAGAIN otherwise. */
export const RESOLVE_CACHED = 0x20;
/** Byte offset of st_size in the x86-64 struct stat (read_size reads it; the file plugins report it). */
export const STAT_SIZE_OFFSET = 48;
/** sigev_notify: queue signal `sigev_signo` (Linux numbers it 0: a zeroed sigevent asks for a signal). */
export const SIGEV_SIGNAL = 0;
/** sigev_notify: no notification. */
export const SIGEV_NONE = 1;
/** sigev_notify: call `sigev_notify_function(sigev_value)` (here: on the JS event loop). */
export const SIGEV_THREAD = 2;
