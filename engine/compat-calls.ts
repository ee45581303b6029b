/**
 * The i386 answers no x86-64 call gives, as syslet-private calls that compat32 converts i386
 * atoms into. A 64-bit kernel runs an i386 `open`/`openat` without forcing O_LARGEFILE, so
 * opening a regular file larger than 2 GiB − 1 fails with EOVERFLOW (fs/open.c
 * generic_file_open); and i386 `stat`/`lstat`/`fstat` fill the old 64-byte `struct stat`,
 * failing with EOVERFLOW when the size, the inode or the link count does not fit
 * (fs/stat.c cp_compat_stat). The x86-64 calls force O_LARGEFILE and have wide fields, so they
 * never fail that way: these calls make the x86-64 call and then apply the compat rule, inside
 * the atom, so that the result (and the stop flags that test it) is the one a `gcc -m32` program
 * sees. They follow the executor's blocking rules: `nonblocking` means "would block: say so
 * instead" (the inline path), and the answer then is {@link WOULD_BLOCK}.
 */
import { readFileSync } from 'node:fs';
import { allocNative, syscall, EAGAIN, EFAULT, EINVAL, ENOSYS, EOVERFLOW, type Word } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import { AT_FDCWD, RESOLVE_CACHED } from './syscalls/abi.js';
import { OPEN_WOULD_BLOCK, probeOpenFlags, settleProbedOpen } from './open-probe.js';
import { ON_REMOTE_MOUNT, openat2OffRemote } from './remote-mounts.js';
import { COMPAT_STAT, STAT_X86_64 } from './syscalls/stat-layouts.js';
import { NR } from './syscalls/nr.js';
import { STRUCT_SIZES } from './syscalls/table.js';
import { AT_SYMLINK_NOFOLLOW, O_CREAT, O_EXCL, O_NOFOLLOW, O_PATH, O_TMPFILE, O_TRUNC, S_IFMT, S_IFREG } from './syscalls/constants.generated.js';

/** Marker result: the call would block; the inline path hands the chain to a cachemiss thread. */
export const WOULD_BLOCK = Symbol('would block');

/** An implementation of a compat call: like a private call, plus whether it must not block. */
export type CompatImpl = (args: readonly Word[], memory: MemoryRegistry, nonblocking: boolean) => number | typeof WOULD_BLOCK;

const STAT_BYTES = STRUCT_SIZES.stat;
/** The largest file size a program without large-file support may open (include/linux/fs.h). */
export const MAX_NON_LFS = 0x7fff_ffff;
// The kernel's O_LARGEFILE, which the generated table leaves out (glibc's x86-64 value is 0): an
// i386 program passes 0o100000.
const O_LARGEFILE = 0o100000;
// File systems whose regular files are opened without generic_file_open, so a big one opens
// without O_LARGEFILE too (/proc/kcore, sysfs PCI resources).
const PROC_SUPER_MAGIC = 0x9fa0;
const SYSFS_MAGIC = 0x62656572;
const STATFS_BYTES = 120;
const SYS_openat = NR.openat;
const SYS_close = NR.close;
const SYS_fstat = NR.fstat;
const SYS_newfstatat = NR.newfstatat;
const SYS_fstatfs = NR.fstatfs;

// One scratch block per thread (this module is loaded by each cachemiss thread too): a struct
// stat, an open_how and a struct statfs, never touched by two calls at once.
let scratch: { view: DataView; address: number } | null = null;
function scratchBlock(): { view: DataView; address: number } {
  if (scratch === null) {
    const block = allocNative(STAT_BYTES + 32 + STATFS_BYTES, 64);
    scratch = { view: new DataView(block.buffer), address: block.address };
  }
  return scratch;
}
const HOW = STAT_BYTES;
const STATFS = STAT_BYTES + 32;

// The kernel's overflowuid/overflowgid: what a 16-bit uid field holds for a uid that does not fit.
let overflowIds: { uid: number; gid: number } | null = null;
function overflowId(which: 'uid' | 'gid'): number {
  if (overflowIds === null) {
    const read = (name: string): number => {
      try {
        const value = Number(readFileSync(`/proc/sys/kernel/${name}`, 'utf8').trim());
        return Number.isInteger(value) ? value & 0xffff : 65534;
      } catch {
        return 65534;
      }
    };
    overflowIds = { uid: read('overflowuid'), gid: read('overflowgid') };
  }
  return overflowIds[which];
}

const u64 = (view: DataView, offset: number): bigint => view.getBigUint64(offset, true);

/** Whether the struct stat in scratch is a regular file larger than MAX_NON_LFS. */
function tooLargeForNonLfs(view: DataView): boolean {
  const mode = view.getUint32(STAT_X86_64.st_mode, true);
  return (mode & S_IFMT) === S_IFREG && u64(view, STAT_X86_64.st_size) > BigInt(MAX_NON_LFS);
}

/** Whether `fd` lives on a file system whose open does not check the size (procfs, sysfs). */
function opensWithoutSizeCheck(fd: number, block: { view: DataView; address: number }): boolean {
  if (syscall(SYS_fstatfs, fd, block.address + STATFS) < 0) return false;
  const type = Number(u64(block.view, STATFS));
  return type === PROC_SUPER_MAGIC || type === SYSFS_MAGIC;
}

/**
 * openat_nonlfs(dirfd, path, flags, mode): i386 openat. With O_LARGEFILE (or O_PATH, which opens
 * nothing) it is openat; without, a regular file larger than 2 GiB − 1 is -EOVERFLOW and stays
 * closed, and with O_TRUNC it is not truncated either (the kernel checks before truncating).
 */
function openatNonLfs(args: readonly Word[], _memory: MemoryRegistry, nonblocking: boolean): number | typeof WOULD_BLOCK {
  const dirfd = args[0] as Word;
  const path = args[1] as Word;
  const flags = Number(args[2]) >>> 0;
  const mode = args[3] as Word;
  const lfs = (flags & (O_LARGEFILE | O_PATH)) !== 0;
  if (nonblocking) {
    // The same probe as openat's: the dcache alone, else a cachemiss thread. Creating or
    // truncating cannot be probed (openat2 refuses them with RESOLVE_CACHED).
    if ((flags & (O_CREAT | O_TRUNC | O_TMPFILE)) !== 0) return WOULD_BLOCK;
    // With O_NONBLOCK added, and a FIFO or a device sent to the thread too (open-probe.ts).
    // A file on a FUSE, NFS... mount: its open waits for the server (remote-mounts.ts).
    const probeFlags = probeOpenFlags(flags);
    const block = scratchBlock();
    block.view.setBigUint64(HOW, BigInt(probeFlags), true);
    block.view.setBigUint64(HOW + 8, 0n, true);
    block.view.setBigUint64(HOW + 16, BigInt(RESOLVE_CACHED), true);
    const probed = openat2OffRemote(dirfd, path, flags, block.view, HOW, block.address + HOW);
    if (probed === ON_REMOTE_MOUNT) return WOULD_BLOCK;
    if (probed === -EAGAIN || probed === -EINVAL || probed === -ENOSYS) return WOULD_BLOCK;
    const fd = settleProbedOpen(probed, flags, probeFlags);
    if (fd === OPEN_WOULD_BLOCK) return WOULD_BLOCK;
    return fd < 0 || lfs ? fd : checkOpened(fd, block);
  }
  if (lfs) return syscall(SYS_openat, dirfd, path, flags, mode);
  const block = scratchBlock();
  if ((flags & O_TRUNC) !== 0 && (flags & (O_CREAT | O_EXCL)) !== (O_CREAT | O_EXCL)) {
    // The kernel refuses before it truncates: look first, so a big file is never cut to 0.
    const nofollow = (flags & O_NOFOLLOW) !== 0 ? AT_SYMLINK_NOFOLLOW : 0;
    if (syscall(SYS_newfstatat, dirfd, path, block.address, nofollow) === 0 && tooLargeForNonLfs(block.view)) {
      // Permission errors come first in the kernel (may_open before the size check), so the
      // file is opened, without truncating, to let them through.
      const fd = syscall(SYS_openat, dirfd, path, flags & ~(O_TRUNC | O_CREAT), mode);
      if (fd < 0) return fd;
      const unchecked = opensWithoutSizeCheck(fd, block);
      syscall(SYS_close, fd);
      if (!unchecked) return -EOVERFLOW;
    }
  }
  const fd = syscall(SYS_openat, dirfd, path, flags, mode);
  return fd < 0 ? fd : checkOpened(fd, block);
}

/** After a non-LFS open: a regular file past 2 GiB − 1 is closed again and the answer is -EOVERFLOW. */
function checkOpened(fd: number, block: { view: DataView; address: number }): number {
  if (syscall(SYS_fstat, fd, block.address) !== 0) return fd;
  if (!tooLargeForNonLfs(block.view) || opensWithoutSizeCheck(fd, block)) return fd;
  syscall(SYS_close, fd);
  return -EOVERFLOW;
}

/** open_nonlfs(path, flags, mode): i386 open, which is openat_nonlfs from the working directory. */
function openNonLfs(args: readonly Word[], memory: MemoryRegistry, nonblocking: boolean): number | typeof WOULD_BLOCK {
  return openatNonLfs([AT_FDCWD, args[0] as Word, args[1] as Word, args[2] as Word], memory, nonblocking);
}

/**
 * Converts the x86-64 struct stat in scratch into the i386 one at `address` (cp_compat_stat):
 * -EOVERFLOW, writing nothing, when the inode, the link count or the size does not fit.
 */
function putCompatStat(view: DataView, address: number, memory: MemoryRegistry): number {
  const ino = u64(view, STAT_X86_64.st_ino);
  const nlink = u64(view, STAT_X86_64.st_nlink);
  const size = u64(view, STAT_X86_64.st_size);
  if (ino > 0xffff_ffffn || nlink > 0xffffn || size > BigInt(MAX_NON_LFS)) return -EOVERFLOW;
  const region = memory.find(address, COMPAT_STAT.size);
  // The table's size check found it before the call; gone since (a release) is a fault.
  if (region === null) return -EFAULT;
  const out = region.view;
  const at = address - region.start;
  const F = COMPAT_STAT.fields;
  const low32 = (offset: number): number => Number(u64(view, offset) & 0xffff_ffffn);
  const id16 = (offset: number, which: 'uid' | 'gid'): number => {
    const id = view.getUint32(offset, true);
    return id > 0xffff ? overflowId(which) : id;
  };
  for (let i = 0; i < COMPAT_STAT.size; i += 4) out.setUint32(at + i, 0, true);
  out.setUint32(at + F.st_dev.offset, low32(STAT_X86_64.st_dev), true);
  out.setUint32(at + F.st_ino.offset, Number(ino), true);
  out.setUint16(at + F.st_mode.offset, view.getUint32(STAT_X86_64.st_mode, true) & 0xffff, true);
  out.setUint16(at + F.st_nlink.offset, Number(nlink), true);
  out.setUint16(at + F.st_uid.offset, id16(STAT_X86_64.st_uid, 'uid'), true);
  out.setUint16(at + F.st_gid.offset, id16(STAT_X86_64.st_gid, 'gid'), true);
  out.setUint32(at + F.st_rdev.offset, low32(STAT_X86_64.st_rdev), true);
  out.setUint32(at + F.st_size.offset, Number(size), true);
  out.setUint32(at + F.st_blksize.offset, low32(STAT_X86_64.st_blksize), true);
  out.setUint32(at + F.st_blocks.offset, low32(STAT_X86_64.st_blocks), true);
  out.setUint32(at + F.st_atime.offset, low32(STAT_X86_64.st_atime), true);
  out.setUint32(at + F.st_atime_nsec.offset, low32(STAT_X86_64.st_atime_nsec), true);
  out.setUint32(at + F.st_mtime.offset, low32(STAT_X86_64.st_mtime), true);
  out.setUint32(at + F.st_mtime_nsec.offset, low32(STAT_X86_64.st_mtime_nsec), true);
  out.setUint32(at + F.st_ctime.offset, low32(STAT_X86_64.st_ctime), true);
  out.setUint32(at + F.st_ctime_nsec.offset, low32(STAT_X86_64.st_ctime_nsec), true);
  return 0;
}

/** fstat_compat(fd, statbuf): i386 fstat (108). */
function fstatCompat(args: readonly Word[], memory: MemoryRegistry): number {
  const block = scratchBlock();
  const result = syscall(SYS_fstat, args[0], block.address);
  return result < 0 ? result : putCompatStat(block.view, Number(args[1]), memory);
}

/** stat_compat(path, statbuf) and lstat_compat: i386 stat (106) and lstat (107). */
function statAtCompat(flags: number): CompatImpl {
  return (args, memory) => {
    const block = scratchBlock();
    const result = syscall(SYS_newfstatat, AT_FDCWD, args[0], block.address, flags);
    return result < 0 ? result : putCompatStat(block.view, Number(args[1]), memory);
  };
}

/** Implementations by table name. */
export const COMPAT_IMPLS: Readonly<Record<string, CompatImpl>> = {
  open_nonlfs: openNonLfs,
  openat_nonlfs: openatNonLfs,
  stat_compat: statAtCompat(0),
  lstat_compat: statAtCompat(AT_SYMLINK_NOFOLLOW),
  fstat_compat: fstatCompat,
};
