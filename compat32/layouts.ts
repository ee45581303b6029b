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
 */

/** Where one field lies in a struct. */
export interface FieldLayout {
  /** Byte offset from the start of the struct. */
  readonly offset: number;
  /** Size in bytes (for arrays, the whole array). */
  readonly size: number;
  /**
   * The C member designator when it differs from the field's name, for the oracle (glibc
   * spells some POSIX names as macros into unions, e.g. `si_pid` → `_sifields._kill.si_pid`,
   * which `offsetof` accepts either way; this is only for members with no usable name).
   */
  readonly c?: string;
}

/** A struct on one ABI. */
export interface StructLayout<Field extends string = string> {
  /** The library's name for it (also the key in {@link LAYOUTS_I386} / {@link LAYOUTS_X86_64}). */
  readonly name: string;
  readonly abi: 'i386' | 'x86_64';
  /** The C type the oracle measures, e.g. `struct stat64` or `siginfo_t`. */
  readonly c: string;
  /** sizeof the struct. */
  readonly size: number;
  readonly fields: Readonly<Record<Field, FieldLayout>>;
}

const f = (offset: number, size: number, c?: string): FieldLayout => (c === undefined ? { offset, size } : { offset, size, c });

/** The i386 `struct syslet_uatom`: 44 bytes, every word 32 bits (2007 v1–v5 ABI). */
export const UATOM32 = {
  name: 'syslet_uatom', abi: 'i386', c: 'struct syslet_uatom', size: 44,
  fields: { flags: f(0, 4), nr: f(4, 4), ret_ptr: f(8, 4), next: f(12, 4), arg_ptr: f(16, 24), private: f(40, 4) },
} as const satisfies StructLayout;

/** The x86-64 `struct syslet_uatom` (the same as shim/atom.ts's ATOM, checked by the 64-bit oracle). */
export const UATOM64 = {
  name: 'syslet_uatom', abi: 'x86_64', c: 'struct syslet_uatom', size: 88,
  fields: { flags: f(0, 8), nr: f(8, 8), ret_ptr: f(16, 8), next: f(24, 8), arg_ptr: f(32, 48), private: f(80, 8) },
} as const satisfies StructLayout;

/** i386 `struct sigevent` (64 bytes). */
export const SIGEVENT32 = {
  name: 'sigevent', abi: 'i386', c: 'struct sigevent', size: 64,
  fields: {
    sigev_value: f(0, 4), sigev_signo: f(4, 4), sigev_notify: f(8, 4),
    sigev_notify_function: f(12, 4), sigev_notify_attributes: f(16, 4), sigev_notify_thread_id: f(12, 4, '_sigev_un._tid'),
  },
} as const satisfies StructLayout;

/** x86-64 `struct sigevent` (64 bytes). */
export const SIGEVENT64 = {
  name: 'sigevent', abi: 'x86_64', c: 'struct sigevent', size: 64,
  fields: {
    sigev_value: f(0, 8), sigev_signo: f(8, 4), sigev_notify: f(12, 4),
    sigev_notify_function: f(16, 8), sigev_notify_attributes: f(24, 8), sigev_notify_thread_id: f(16, 4, '_sigev_un._tid'),
  },
} as const satisfies StructLayout;

/** i386 `struct aiocb` with a 64-bit `aio_offset` (144 bytes). */
export const AIOCB32 = {
  name: 'aiocb', abi: 'i386', c: 'struct aiocb', size: 144,
  fields: {
    aio_fildes: f(0, 4), aio_lio_opcode: f(4, 4), aio_reqprio: f(8, 4), aio_buf: f(12, 4), aio_nbytes: f(16, 4),
    aio_sigevent: f(20, 64), __error_code: f(96, 4), __return_value: f(100, 4), aio_offset: f(104, 8),
  },
} as const satisfies StructLayout;

/** x86-64 `struct aiocb` (168 bytes), for reference and the POSIX layer. */
export const AIOCB64 = {
  name: 'aiocb', abi: 'x86_64', c: 'struct aiocb', size: 168,
  fields: {
    aio_fildes: f(0, 4), aio_lio_opcode: f(4, 4), aio_reqprio: f(8, 4), aio_buf: f(16, 8), aio_nbytes: f(24, 8),
    aio_sigevent: f(32, 64), __error_code: f(112, 4), __return_value: f(120, 8), aio_offset: f(128, 8),
  },
} as const satisfies StructLayout;

/** i386 `struct iovec` (8 bytes). */
export const IOVEC32 = {
  name: 'iovec', abi: 'i386', c: 'struct iovec', size: 8,
  fields: { iov_base: f(0, 4), iov_len: f(4, 4) },
} as const satisfies StructLayout;

/** x86-64 `struct iovec` (16 bytes). */
export const IOVEC64 = {
  name: 'iovec', abi: 'x86_64', c: 'struct iovec', size: 16,
  fields: { iov_base: f(0, 8), iov_len: f(8, 8) },
} as const satisfies StructLayout;

/** i386 `struct timespec` with 32-bit time_t (the kernel's old_timespec32; 8 bytes). */
export const TIMESPEC32 = {
  name: 'timespec', abi: 'i386', c: 'struct timespec', size: 8,
  fields: { tv_sec: f(0, 4), tv_nsec: f(4, 4) },
} as const satisfies StructLayout;

/** x86-64 `struct timespec` (16 bytes). */
export const TIMESPEC64 = {
  name: 'timespec', abi: 'x86_64', c: 'struct timespec', size: 16,
  fields: { tv_sec: f(0, 8), tv_nsec: f(8, 8) },
} as const satisfies StructLayout;

/** i386 `struct stat64` (96 bytes), what fstat64/fstatat64 fill. */
export const STAT64_32 = {
  name: 'stat64', abi: 'i386', c: 'struct stat64', size: 96,
  fields: {
    st_dev: f(0, 8), __st_ino: f(12, 4), st_mode: f(16, 4), st_nlink: f(20, 4), st_uid: f(24, 4), st_gid: f(28, 4),
    st_rdev: f(32, 8), st_size: f(44, 8), st_blksize: f(52, 4), st_blocks: f(56, 8),
    st_atime: f(64, 4, 'st_atim.tv_sec'), st_atime_nsec: f(68, 4, 'st_atim.tv_nsec'),
    st_mtime: f(72, 4, 'st_mtim.tv_sec'), st_mtime_nsec: f(76, 4, 'st_mtim.tv_nsec'),
    st_ctime: f(80, 4, 'st_ctim.tv_sec'), st_ctime_nsec: f(84, 4, 'st_ctim.tv_nsec'),
    st_ino: f(88, 8),
  },
} as const satisfies StructLayout;

/** x86-64 `struct stat` (144 bytes), what fstat/newfstatat fill. */
export const STAT64 = {
  name: 'stat', abi: 'x86_64', c: 'struct stat', size: 144,
  fields: {
    st_dev: f(0, 8), st_ino: f(8, 8), st_nlink: f(16, 8), st_mode: f(24, 4), st_uid: f(28, 4), st_gid: f(32, 4),
    st_rdev: f(40, 8), st_size: f(48, 8), st_blksize: f(56, 8), st_blocks: f(64, 8),
    st_atime: f(72, 8, 'st_atim.tv_sec'), st_atime_nsec: f(80, 8, 'st_atim.tv_nsec'),
    st_mtime: f(88, 8, 'st_mtim.tv_sec'), st_mtime_nsec: f(96, 8, 'st_mtim.tv_nsec'),
    st_ctime: f(104, 8, 'st_ctim.tv_sec'), st_ctime_nsec: f(112, 8, 'st_ctim.tv_nsec'),
  },
} as const satisfies StructLayout;

/** i386 `siginfo_t` (128 bytes): the fields rt_sigqueueinfo's SI_QUEUE / SI_TIMER forms carry. */
export const SIGINFO32 = {
  name: 'siginfo', abi: 'i386', c: 'siginfo_t', size: 128,
  fields: {
    si_signo: f(0, 4), si_errno: f(4, 4), si_code: f(8, 4),
    si_pid: f(12, 4), si_uid: f(16, 4), si_value: f(20, 4), si_timerid: f(12, 4), si_overrun: f(16, 4),
  },
} as const satisfies StructLayout;

/** x86-64 `siginfo_t` (128 bytes): the union starts at 16, aligned for its pointers. */
export const SIGINFO64 = {
  name: 'siginfo', abi: 'x86_64', c: 'siginfo_t', size: 128,
  fields: {
    si_signo: f(0, 4), si_errno: f(4, 4), si_code: f(8, 4),
    si_pid: f(16, 4), si_uid: f(20, 4), si_value: f(24, 8), si_timerid: f(16, 4), si_overrun: f(20, 4),
  },
} as const satisfies StructLayout;

/** i386 `struct msghdr` (28 bytes). */
export const MSGHDR32 = {
  name: 'msghdr', abi: 'i386', c: 'struct msghdr', size: 28,
  fields: {
    msg_name: f(0, 4), msg_namelen: f(4, 4), msg_iov: f(8, 4), msg_iovlen: f(12, 4),
    msg_control: f(16, 4), msg_controllen: f(20, 4), msg_flags: f(24, 4),
  },
} as const satisfies StructLayout;

/** x86-64 `struct msghdr` (56 bytes). */
export const MSGHDR64 = {
  name: 'msghdr', abi: 'x86_64', c: 'struct msghdr', size: 56,
  fields: {
    msg_name: f(0, 8), msg_namelen: f(8, 4), msg_iov: f(16, 8), msg_iovlen: f(24, 8),
    msg_control: f(32, 8), msg_controllen: f(40, 8), msg_flags: f(48, 4),
  },
} as const satisfies StructLayout;

/** Every i386 layout, by name: what the `gcc -m32` oracle checks. */
export const LAYOUTS_I386: readonly StructLayout[] = [UATOM32, SIGEVENT32, AIOCB32, IOVEC32, TIMESPEC32, STAT64_32, SIGINFO32, MSGHDR32];

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
