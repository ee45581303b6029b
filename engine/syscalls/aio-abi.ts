/**
 * glibc's x86-64 POSIX AIO ABI: the byte layouts of `struct aiocb`, `struct sigevent` and
 * `struct aioinit`, and the `<aio.h>` values, spelled once. Both the shim's `Aiocb` (which lays out
 * the same bytes glibc reads, so a C program's aiocb image is ours) and the glibc binding that the
 * differential tests use as their oracle read them from here, so the two can never disagree.
 * test/posix-binding-matches-the-c-headers.test.ts compares every entry with gcc's `offsetof` and
 * the headers' values (test/fixtures/aio-header-probe.c).
 */

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

/** Byte offsets of `struct sigevent` (64 bytes) on x86-64, alone (lio_listio's `sig`) or in an aiocb. */
export const SIGEVENT = {
  /** `union sigval sigev_value` (8 bytes): sival_int / sival_ptr. */
  sigev_value: 0,
  /** `int sigev_signo`: the signal for SIGEV_SIGNAL. */
  sigev_signo: 8,
  /** `int sigev_notify`: SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD. */
  sigev_notify: 12,
  /** `void (*sigev_notify_function)(union sigval)` (8 bytes; the shim keeps the JS function aside). */
  sigev_notify_function: 16,
  /** `pthread_attr_t *sigev_notify_attributes` (8 bytes; NULL means detached defaults). */
  sigev_notify_attributes: 24,
  /** `pid_t sigev_notify_thread_id` (the union's `_tid`, over sigev_notify_function): the thread SIGEV_THREAD_ID signals. */
  sigev_notify_thread_id: 16,
  /** Size of the struct in bytes. */
  size: 64,
} as const;

/** Byte offsets of the glibc `struct aioinit` members aio_init() reads (eight ints in all). */
export const AIOINIT = {
  /** `int aio_threads`: most helper threads. */
  aio_threads: 0,
  /** `int aio_num`: expected simultaneous requests. */
  aio_num: 4,
  /** `int aio_idle_time`: seconds an idle helper thread stays. */
  aio_idle_time: 24,
  /** Size of the struct in bytes (threads, num, locks, usedba, debug, numusers, idle_time, reserved). */
  size: 32,
} as const;

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
