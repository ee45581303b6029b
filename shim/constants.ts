/**
 * The numbers of <aio.h>, <signal.h> and <fcntl.h> that POSIX AIO programs use, with glibc's
 * x86-64 values (checked against gcc and glibc 2.36 headers), plus glibc's limits as sysconf
 * reports them. Errno values are the kernel's and come from the one errno table.
 */
export { EAGAIN, EBADF, ECANCELED, EFAULT, EINPROGRESS, EINTR, EINVAL, EIO, ENOSYS, ESPIPE } from '../engine/native/index.js';

// <aio.h> values and the struct layouts: glibc's x86-64 ABI, spelled once in engine/syscalls/aio-abi.ts
// (the glibc binding the differential tests use reads the same table).
export {
  AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, AIOCB, LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, SIGEVENT,
} from '../engine/syscalls/aio-abi.js';

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
