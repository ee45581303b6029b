/**
 * The two `struct stat` layouts the compat stat calls convert between (engine/compat-calls.ts),
 * as data with the C member names. compat32/layouts.ts takes the i386 one into its layouts, and
 * test/compat32-layouts-match-gcc checks both against gcc with the real headers.
 */

/**
 * The i386 kernel `struct stat` (asm/stat.h with `gcc -m32`; the kernel's `struct compat_stat`):
 * 64 bytes, what i386 `stat`, `lstat` and `fstat` fill. compat32/layouts.ts checks it against gcc.
 */
export const COMPAT_STAT = {
  /** sizeof the struct, in bytes. */
  size: 64,
  /** Each member's byte offset and size, by C member name. */
  fields: {
    /** Device (new_encode_dev, 32 bits). */
    st_dev: { offset: 0, size: 4 },
    /** Inode number: EOVERFLOW when it needs more than 32 bits. */
    st_ino: { offset: 4, size: 4 },
    /** File type and mode. */
    st_mode: { offset: 8, size: 2 },
    /** Link count: EOVERFLOW above 65535. */
    st_nlink: { offset: 10, size: 2 },
    /** Owner: the 16-bit uid, or overflowuid when it does not fit. */
    st_uid: { offset: 12, size: 2 },
    /** Group: the 16-bit gid, or overflowgid when it does not fit. */
    st_gid: { offset: 14, size: 2 },
    /** Device ID of a special file. */
    st_rdev: { offset: 16, size: 4 },
    /** Size: EOVERFLOW above 2 GiB − 1 (MAX_NON_LFS). */
    st_size: { offset: 20, size: 4 },
    /** Preferred I/O size. */
    st_blksize: { offset: 24, size: 4 },
    /** 512-byte blocks, truncated to 32 bits. */
    st_blocks: { offset: 28, size: 4 },
    /** Access time, seconds (truncated to 32 bits). */
    st_atime: { offset: 32, size: 4 },
    /** Access time, nanoseconds. */
    st_atime_nsec: { offset: 36, size: 4 },
    /** Modification time, seconds. */
    st_mtime: { offset: 40, size: 4 },
    /** Modification time, nanoseconds. */
    st_mtime_nsec: { offset: 44, size: 4 },
    /** Status change time, seconds. */
    st_ctime: { offset: 48, size: 4 },
    /** Status change time, nanoseconds. */
    st_ctime_nsec: { offset: 52, size: 4 },
    /** Padding, zeroed. */
    __unused4: { offset: 56, size: 4 },
    /** Padding, zeroed. */
    __unused5: { offset: 60, size: 4 },
  },
} as const;

/** Offsets in the x86-64 `struct stat` (144 bytes) the conversion reads (compat32/layouts.ts STAT64 has sizes too). */
export const STAT_X86_64 = {
  st_dev: 0, st_ino: 8, st_nlink: 16, st_mode: 24, st_uid: 28, st_gid: 32, st_rdev: 40, st_size: 48, st_blksize: 56,
  st_blocks: 64, st_atime: 72, st_atime_nsec: 80, st_mtime: 88, st_mtime_nsec: 96, st_ctime: 104, st_ctime_nsec: 112,
} as const;
