/**
 * The layouts of the structs that syscall arguments point at and compat32 converts both ways
 * (struct-args.ts): iovec, timespec, stat64 and the old i386 stat, siginfo_t, msghdr, each for
 * i386 and, where it differs, x86-64. Split from layouts.ts, which keeps the atom, sigevent and
 * aiocb layouts and the lists the gcc oracles check; the same rules apply (offsets live only
 * here, the oracle tests compare every number with gcc -m32 and gcc).
 */
import { field, type StructLayout } from '../engine/structs.js';
import { COMPAT_STAT } from '../engine/syscalls/stat-layouts.js';

const f = field;


/** i386 `struct iovec` (8 bytes). */
export const IOVEC32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'iovec',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct iovec',
  /** sizeof the struct, in bytes. */
  size: 8,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Pointer to the buffer. */
    iov_base: f(0, 4),
    /** The buffer length in bytes. */
    iov_len: f(4, 4),
  },
} as const satisfies StructLayout;

/** i386 `struct timespec` with 32-bit time_t (the kernel's old_timespec32; 8 bytes). */
export const TIMESPEC32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'timespec',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct timespec',
  /** sizeof the struct, in bytes. */
  size: 8,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Seconds. */
    tv_sec: f(0, 4),
    /** Nanoseconds. */
    tv_nsec: f(4, 4),
  },
} as const satisfies StructLayout;

/** i386 `struct stat64` (96 bytes), what fstat64/fstatat64 fill. */
export const STAT64_32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'stat64',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct stat64',
  /** sizeof the struct, in bytes. */
  size: 96,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** ID of the containing device. */
    st_dev: f(0, 8),
    /** The truncated 32-bit inode number (glibc's `__st_ino`). */
    __st_ino: f(12, 4),
    /** File type and mode bits. */
    st_mode: f(16, 4),
    /** Hard link count. */
    st_nlink: f(20, 4),
    /** Owner user ID. */
    st_uid: f(24, 4),
    /** Owner group ID. */
    st_gid: f(28, 4),
    /** Device ID (for special files). */
    st_rdev: f(32, 8),
    /** File size in bytes. */
    st_size: f(44, 8),
    /** Preferred I/O block size in bytes. */
    st_blksize: f(52, 4),
    /** Number of 512-byte blocks allocated. */
    st_blocks: f(56, 8),
    /** Last access time, seconds (`st_atim.tv_sec`). */
    st_atime: f(64, 4, 'st_atim.tv_sec'),
    /** Last access time, nanoseconds (`st_atim.tv_nsec`). */
    st_atime_nsec: f(68, 4, 'st_atim.tv_nsec'),
    /** Last modification time, seconds (`st_mtim.tv_sec`). */
    st_mtime: f(72, 4, 'st_mtim.tv_sec'),
    /** Last modification time, nanoseconds (`st_mtim.tv_nsec`). */
    st_mtime_nsec: f(76, 4, 'st_mtim.tv_nsec'),
    /** Last status change time, seconds (`st_ctim.tv_sec`). */
    st_ctime: f(80, 4, 'st_ctim.tv_sec'),
    /** Last status change time, nanoseconds (`st_ctim.tv_nsec`). */
    st_ctime_nsec: f(84, 4, 'st_ctim.tv_nsec'),
    /** The inode number. */
    st_ino: f(88, 8),
  },
} as const satisfies StructLayout;

/** x86-64 `struct stat` (144 bytes), what fstat/newfstatat fill. */
export const STAT64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'stat',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct stat',
  /** sizeof the struct, in bytes. */
  size: 144,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** ID of the containing device. */
    st_dev: f(0, 8),
    /** The inode number. */
    st_ino: f(8, 8),
    /** Hard link count. */
    st_nlink: f(16, 8),
    /** File type and mode bits. */
    st_mode: f(24, 4),
    /** Owner user ID. */
    st_uid: f(28, 4),
    /** Owner group ID. */
    st_gid: f(32, 4),
    /** Device ID (for special files). */
    st_rdev: f(40, 8),
    /** File size in bytes. */
    st_size: f(48, 8),
    /** Preferred I/O block size in bytes. */
    st_blksize: f(56, 8),
    /** Number of 512-byte blocks allocated. */
    st_blocks: f(64, 8),
    /** Last access time, seconds (`st_atim.tv_sec`). */
    st_atime: f(72, 8, 'st_atim.tv_sec'),
    /** Last access time, nanoseconds (`st_atim.tv_nsec`). */
    st_atime_nsec: f(80, 8, 'st_atim.tv_nsec'),
    /** Last modification time, seconds (`st_mtim.tv_sec`). */
    st_mtime: f(88, 8, 'st_mtim.tv_sec'),
    /** Last modification time, nanoseconds (`st_mtim.tv_nsec`). */
    st_mtime_nsec: f(96, 8, 'st_mtim.tv_nsec'),
    /** Last status change time, seconds (`st_ctim.tv_sec`). */
    st_ctime: f(104, 8, 'st_ctim.tv_sec'),
    /** Last status change time, nanoseconds (`st_ctim.tv_nsec`). */
    st_ctime_nsec: f(112, 8, 'st_ctim.tv_nsec'),
  },
} as const satisfies StructLayout;

/**
 * The i386 kernel `struct stat` (64 bytes, asm/stat.h; `struct compat_stat` in the kernel), what
 * the old i386 stat/lstat/fstat fill. It is the engine's (engine/syscalls/stat-layouts.ts): the
 * compat stat calls write it there. The oracle measures asm/stat.h's struct, renamed
 * `kernel_stat` so it does not clash with glibc's.
 */
export const STAT32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'stat',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct kernel_stat',
  /** sizeof the struct, in bytes. */
  size: COMPAT_STAT.size,
  /** Each member's byte offset and size, by C member name. */
  fields: COMPAT_STAT.fields,
} as const satisfies StructLayout;

/** i386 `siginfo_t` (128 bytes): the fields rt_sigqueueinfo's SI_QUEUE / SI_TIMER forms carry. */
export const SIGINFO32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'siginfo',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'siginfo_t',
  /** sizeof the struct, in bytes. */
  size: 128,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The signal number. */
    si_signo: f(0, 4),
    /** An errno value (usually 0). */
    si_errno: f(4, 4),
    /** The signal code (`SI_QUEUE`, `SI_TIMER`, ...). */
    si_code: f(8, 4),
    /** The sending process ID (`SI_QUEUE`). */
    si_pid: f(12, 4),
    /** The sending real user ID (`SI_QUEUE`). */
    si_uid: f(16, 4),
    /** The `union sigval` payload (`SI_QUEUE` / `SI_TIMER`). */
    si_value: f(20, 4),
    /** The POSIX timer ID (`SI_TIMER`; overlays `si_pid`). */
    si_timerid: f(12, 4),
    /** The timer overrun count (`SI_TIMER`; overlays `si_uid`). */
    si_overrun: f(16, 4),
  },
} as const satisfies StructLayout;

/** x86-64 `siginfo_t` (128 bytes): the union starts at 16, aligned for its pointers. */
export const SIGINFO64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'siginfo',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'siginfo_t',
  /** sizeof the struct, in bytes. */
  size: 128,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** The signal number. */
    si_signo: f(0, 4),
    /** An errno value (usually 0). */
    si_errno: f(4, 4),
    /** The signal code (`SI_QUEUE`, `SI_TIMER`, ...). */
    si_code: f(8, 4),
    /** The sending process ID (`SI_QUEUE`). */
    si_pid: f(16, 4),
    /** The sending real user ID (`SI_QUEUE`). */
    si_uid: f(20, 4),
    /** The `union sigval` payload (`SI_QUEUE` / `SI_TIMER`). */
    si_value: f(24, 8),
    /** The POSIX timer ID (`SI_TIMER`; overlays `si_pid`). */
    si_timerid: f(16, 4),
    /** The timer overrun count (`SI_TIMER`; overlays `si_uid`). */
    si_overrun: f(20, 4),
  },
} as const satisfies StructLayout;

/** i386 `struct msghdr` (28 bytes). */
export const MSGHDR32 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'msghdr',
  /** The ABI this layout describes. */
  abi: 'i386',
  /** The C type the layout oracle measures. */
  c: 'struct msghdr',
  /** sizeof the struct, in bytes. */
  size: 28,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Pointer to the optional socket address. */
    msg_name: f(0, 4),
    /** The address length in bytes. */
    msg_namelen: f(4, 4),
    /** Pointer to the `struct iovec` array. */
    msg_iov: f(8, 4),
    /** Number of `iovec` entries. */
    msg_iovlen: f(12, 4),
    /** Pointer to the ancillary data buffer. */
    msg_control: f(16, 4),
    /** The ancillary data length in bytes. */
    msg_controllen: f(20, 4),
    /** Flags on the received message. */
    msg_flags: f(24, 4),
  },
} as const satisfies StructLayout;

/** x86-64 `struct msghdr` (56 bytes). */
export const MSGHDR64 = {
  /** The library's name for the struct (the same on both ABIs). */
  name: 'msghdr',
  /** The ABI this layout describes. */
  abi: 'x86_64',
  /** The C type the layout oracle measures. */
  c: 'struct msghdr',
  /** sizeof the struct, in bytes. */
  size: 56,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Pointer to the optional socket address. */
    msg_name: f(0, 8),
    /** The address length in bytes. */
    msg_namelen: f(8, 4),
    /** Pointer to the `struct iovec` array. */
    msg_iov: f(16, 8),
    /** Number of `iovec` entries. */
    msg_iovlen: f(24, 8),
    /** Pointer to the ancillary data buffer. */
    msg_control: f(32, 8),
    /** The ancillary data length in bytes. */
    msg_controllen: f(40, 8),
    /** Flags on the received message. */
    msg_flags: f(48, 4),
  },
} as const satisfies StructLayout;
