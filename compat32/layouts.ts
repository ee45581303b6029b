/**
 * The struct layouts compat32 converts between, declared once as data in one format for both
 * ABIs: each struct is a name, the C type it describes, its size, and its fields (offset, size).
 * Nothing else in compat32 spells an offset: readers and writers look fields up here, and the
 * oracle tests (test/compat32-layouts-match-gcc, test/layouts64-match-gcc) compile a C file with
 * `gcc -m32` and plain `gcc` against the real system headers and compare every number.
 *
 * The i386 layouts are those of a program built with `-D_FILE_OFFSET_BITS=64` and 32-bit
 * `time_t` (glibc's default on i386), which is what the kernel's compat layer expects for the
 * `*64` calls.
 *
 * This module has the atom, sigevent and aiocb layouts and the lists the oracles check; the structs
 * that syscall arguments point at (iovec, timespec, stat, siginfo, msghdr) are in
 * layouts-argument-structs.ts and re-exported here.
 */

// The layout types and the x86-64 iovec/timespec live with the engine's struct builders, which
// lay out the same structs; compat32 reads and writes through the same declarations.
import { IOVEC64, TIMESPEC64, field, type FieldLayout, type StructLayout } from '../engine/structs.js';
import { IOVEC32, MSGHDR32, MSGHDR64, SIGINFO32, SIGINFO64, STAT32, STAT64, STAT64_32, TIMESPEC32 } from './layouts-argument-structs.js';

export { IOVEC64, TIMESPEC64, type FieldLayout, type StructLayout };
export { IOVEC32, MSGHDR32, MSGHDR64, SIGINFO32, SIGINFO64, STAT32, STAT64, STAT64_32, TIMESPEC32 };

const f = field;

/** The i386 `struct syslet_uatom`: 44 bytes, every word 32 bits (2007 v1–v5 ABI). */
export const UATOM32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'syslet_uatom',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct syslet_uatom',
  /** sizeof the struct, in bytes. */
  size: 44,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The `SYSLET_*` flag word. */
    flags: f(0, 4),
    /** The system call number. */
    nr: f(4, 4),
    /** Pointer to where the call's return value is stored. */
    ret_ptr: f(8, 4),
    /** Pointer to the next atom (NULL ends the chain). */
    next: f(12, 4),
    /** The six argument pointers (the whole array). */
    arg_ptr: f(16, 24),
    /** Opaque user word the engine never interprets. */
    private: f(40, 4),
  },
} as const satisfies StructLayout;

/** The x86-64 `struct syslet_uatom` (the same as engine/atom.ts's ATOM, checked by the 64-bit oracle). */
export const UATOM64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'syslet_uatom',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct syslet_uatom',
  /** sizeof the struct, in bytes. */
  size: 88,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The `SYSLET_*` flag word. */
    flags: f(0, 8),
    /** The system call number. */
    nr: f(8, 8),
    /** Pointer to where the call's return value is stored. */
    ret_ptr: f(16, 8),
    /** Pointer to the next atom (NULL ends the chain). */
    next: f(24, 8),
    /** The six argument pointers (the whole array). */
    arg_ptr: f(32, 48),
    /** Opaque user word the engine never interprets. */
    private: f(80, 8),
  },
} as const satisfies StructLayout;

/** i386 `struct sigevent` (64 bytes). */
export const SIGEVENT32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'sigevent',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct sigevent',
  /** sizeof the struct, in bytes. */
  size: 64,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The `union sigval` passed with the notification. */
    sigev_value: f(0, 4),
    /** The signal number to send. */
    sigev_signo: f(4, 4),
    /** The notification method (`SIGEV_*`). */
    sigev_notify: f(8, 4),
    /** The `SIGEV_THREAD` callback. */
    sigev_notify_function: f(12, 4),
    /** The `SIGEV_THREAD` `pthread_attr_t` pointer. */
    sigev_notify_attributes: f(16, 4),
    /** The `SIGEV_THREAD_ID` target thread (overlays `sigev_notify_function`). */
    sigev_notify_thread_id: f(12, 4, '_sigev_un._tid'),
  },
} as const satisfies StructLayout;

/** x86-64 `struct sigevent` (64 bytes). */
export const SIGEVENT64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'sigevent',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct sigevent',
  /** sizeof the struct, in bytes. */
  size: 64,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The `union sigval` passed with the notification. */
    sigev_value: f(0, 8),
    /** The signal number to send. */
    sigev_signo: f(8, 4),
    /** The notification method (`SIGEV_*`). */
    sigev_notify: f(12, 4),
    /** The `SIGEV_THREAD` callback. */
    sigev_notify_function: f(16, 8),
    /** The `SIGEV_THREAD` `pthread_attr_t` pointer. */
    sigev_notify_attributes: f(24, 8),
    /** The `SIGEV_THREAD_ID` target thread (overlays `sigev_notify_function`). */
    sigev_notify_thread_id: f(16, 4, '_sigev_un._tid'),
  },
} as const satisfies StructLayout;

/** i386 `struct aiocb` with a 64-bit `aio_offset` (144 bytes). */
export const AIOCB32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'aiocb',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct aiocb',
  /** sizeof the struct, in bytes. */
  size: 144,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The file descriptor. */
    aio_fildes: f(0, 4),
    /** The `lio_listio` operation (`LIO_*`). */
    aio_lio_opcode: f(4, 4),
    /** The request priority offset. */
    aio_reqprio: f(8, 4),
    /** Pointer to the data buffer. */
    aio_buf: f(12, 4),
    /** The transfer length in bytes. */
    aio_nbytes: f(16, 4),
    /** The embedded completion `struct sigevent`. */
    aio_sigevent: f(20, 64),
    /** glibc-private: the request's errno (`EINPROGRESS` while pending). */
    __error_code: f(96, 4),
    /** glibc-private: the request's return value once complete. */
    __return_value: f(100, 4),
    /** The file offset (64-bit). */
    aio_offset: f(104, 8),
  },
} as const satisfies StructLayout;

/** x86-64 `struct aiocb` (168 bytes), for reference and the POSIX layer. */
export const AIOCB64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'aiocb',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct aiocb',
  /** sizeof the struct, in bytes. */
  size: 168,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The file descriptor. */
    aio_fildes: f(0, 4),
    /** The `lio_listio` operation (`LIO_*`). */
    aio_lio_opcode: f(4, 4),
    /** The request priority offset. */
    aio_reqprio: f(8, 4),
    /** Pointer to the data buffer. */
    aio_buf: f(16, 8),
    /** The transfer length in bytes. */
    aio_nbytes: f(24, 8),
    /** The embedded completion `struct sigevent`. */
    aio_sigevent: f(32, 64),
    /** glibc-private: the request's errno (`EINPROGRESS` while pending). */
    __error_code: f(112, 4),
    /** glibc-private: the request's return value once complete. */
    __return_value: f(120, 8),
    /** The file offset (64-bit). */
    aio_offset: f(128, 8),
  },
} as const satisfies StructLayout;

/** Every i386 layout, by name: what the `gcc -m32` oracle checks. */
export const LAYOUTS_I386: readonly StructLayout[] = [UATOM32, SIGEVENT32, AIOCB32, IOVEC32, TIMESPEC32, STAT64_32, STAT32, SIGINFO32, MSGHDR32];

/** Every x86-64 layout: what the plain `gcc` oracle checks. */
export const LAYOUTS_X86_64: readonly StructLayout[] = [UATOM64, SIGEVENT64, AIOCB64, IOVEC64, TIMESPEC64, STAT64, SIGINFO64, MSGHDR64];

/** The C declaration of `struct syslet_uatom` (no system header has it), used by the oracles and the test fixture. */
export const UATOM_C_DECLARATION = `struct syslet_uatom {
  unsigned long flags;
  unsigned long nr;
  long *ret_ptr;
  struct syslet_uatom *next;
  unsigned long *arg_ptr[6];
  void *private;
};`;
