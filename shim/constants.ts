/**
 * The numbers of <aio.h>, <signal.h> and <fcntl.h> that POSIX AIO programs use, with glibc's
 * x86-64 values (checked against gcc and glibc 2.36 headers), plus glibc's limits as sysconf
 * reports them. Errno values are the kernel's and come from the one errno table.
 */
export { EAGAIN, EBADF, ECANCELED, EFAULT, EINPROGRESS, EINTR, EINVAL, EIO, ENOSYS, ESPIPE } from '../engine/native/index.js';

/** aio_cancel(): every request was cancelled. */
export const AIO_CANCELED = 0;
/** aio_cancel(): at least one request could not be cancelled (it is running). */
export const AIO_NOTCANCELED = 1;
/** aio_cancel(): nothing to cancel, the requests had already completed. */
export const AIO_ALLDONE = 2;

/** lio_listio() entry opcode: read (aio_read). */
export const LIO_READ = 0;
/** lio_listio() entry opcode: write (aio_write). */
export const LIO_WRITE = 1;
/** lio_listio() entry opcode: skip this entry. */
export const LIO_NOP = 2;

/** lio_listio() mode: block until every entry has completed. */
export const LIO_WAIT = 0;
/** lio_listio() mode: return at once, notify through `sig` when every entry has completed. */
export const LIO_NOWAIT = 1;

// sigev_notify values: the kernel's <asm-generic/siginfo.h>, spelled once in the ABI module.
export { SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } from '../engine/syscalls/abi.js';

// aio_fsync()'s op is O_SYNC (fsync(2) semantics) or O_DSYNC (fdatasync(2)); O_APPEND makes every
// write append; SI_ASYNCIO is the si_code of a signal sent on AIO completion. From the headers.
export { O_APPEND, O_DSYNC, O_SYNC, SI_ASYNCIO } from '../engine/syscalls/constants.generated.js';
/** The first real-time signal an application may use under glibc (glibc reserves 32 and 33). */
export const SIGRTMIN = 34;
/** The last real-time signal. */
export const SIGRTMAX = 64;

/** Largest aio_reqprio: glibc's AIO_PRIO_DELTA_MAX on Linux. */
export const AIO_PRIO_DELTA_MAX = 20;
/** `_POSIX_ASYNCHRONOUS_IO` as glibc defines it. */
export const _POSIX_ASYNCHRONOUS_IO = 200809;
/** `_POSIX_PRIORITIZED_IO` as glibc defines it. */
export const _POSIX_PRIORITIZED_IO = 200809;

/** sysconf() names (glibc x86-64 values). */
export const _SC_ASYNCHRONOUS_IO = 12;
/** sysconf() name: most entries of one lio_listio call ({@link sysconf} gives -1: no fixed limit). */
export const _SC_AIO_LISTIO_MAX = 23;
/** sysconf() name: most requests outstanding at once ({@link sysconf} gives -1: no fixed limit). */
export const _SC_AIO_MAX = 24;
/** sysconf() name: largest aio_reqprio ({@link sysconf} gives 20). */
export const _SC_AIO_PRIO_DELTA_MAX = 25;

/** Byte offsets of glibc's x86-64 `struct aiocb` (168 bytes) and of `struct sigevent` in it. */
export const AIOCB = {
  /** `int aio_fildes`: the file descriptor. */
  aio_fildes: 0,
  /** `int aio_lio_opcode`: LIO_READ, LIO_WRITE or LIO_NOP. */
  aio_lio_opcode: 4,
  /** `int aio_reqprio`: priority decrement. */
  aio_reqprio: 8,
  /** `volatile void *aio_buf`: the buffer's address. */
  aio_buf: 16,
  /** `size_t aio_nbytes`: bytes to transfer. */
  aio_nbytes: 24,
  /** `struct sigevent aio_sigevent` (64 bytes, laid out as {@link SIGEVENT}). */
  aio_sigevent: 32,
  /** glibc's private `int __error_code` (what aio_error returns). */
  __error_code: 112,
  /** glibc's private `ssize_t __return_value` (what aio_return returns). */
  __return_value: 120,
  /** `off_t aio_offset`: the file offset. */
  aio_offset: 128,
  /** Size of the struct in bytes. */
  size: 168,
} as const;

/** Byte offsets of `struct sigevent` (64 bytes) on x86-64. */
export const SIGEVENT = {
  /** `union sigval sigev_value` (8 bytes): sival_int / sival_ptr. */
  sigev_value: 0,
  /** `int sigev_signo`: the signal for SIGEV_SIGNAL. */
  sigev_signo: 8,
  /** `int sigev_notify`: SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD. */
  sigev_notify: 12,
  /** `void (*sigev_notify_function)(union sigval)` (8 bytes; the shim keeps the JS function aside). */
  sigev_notify_function: 16,
  /** `pthread_attr_t *sigev_notify_attributes` (8 bytes; stored, ignored). */
  sigev_notify_attributes: 24,
  /** Size of the struct in bytes. */
  size: 64,
} as const;

/**
 * sysconf - the AIO limits glibc reports: `_SC_ASYNCHRONOUS_IO` 200809, `_SC_AIO_PRIO_DELTA_MAX`
 * 20, and -1 ("no fixed limit") for `_SC_AIO_MAX` and `_SC_AIO_LISTIO_MAX`.
 *
 * @param name - one of the `_SC_*` constants above.
 * @returns the value, or -1 for a name this module does not know (glibc: -1 with EINVAL).
 * @example sysconf(_SC_AIO_PRIO_DELTA_MAX) === 20
 */
export function sysconf(name: number): number {
  switch (name) {
    case _SC_ASYNCHRONOUS_IO:
      return _POSIX_ASYNCHRONOUS_IO;
    case _SC_AIO_PRIO_DELTA_MAX:
      return AIO_PRIO_DELTA_MAX;
    default:
      return -1;
  }
}
