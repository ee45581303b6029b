/**
 * Mounts whose calls may wait for a server: FUSE (a userspace daemon), NFS, SMB/CIFS, 9p, Ceph,
 * AFS and the like. On them even a path the dcache holds is no promise that a call will not
 * block: an open sends the server an OPEN request, a stat a GETATTR whenever the attributes
 * have timed out, a close a FLUSH, and the caller waits in the kernel (FUSE's
 * request_wait_answer, an RPC's wait) for as long as the server takes, forever when it hangs.
 * Inline, on the event loop's thread, that froze the whole loop where Node waits on a libuv
 * thread (fusehang29: a stat 323-508 ms, a readFile 731-1,239 ms on a server answering each
 * request after 300 ms).
 *
 * So the inline paths ask, before a call that would reach the file system: is the file on such
 * a mount? The mounts come from /proc/self/mountinfo (its "major:minor" is the st_dev of every
 * file on the mount, its type after " - "), read again when it changed: a zero-timeout poll of
 * the open file answers POLLPRI once after each mount or unmount in this mount namespace
 * (fs/proc_namespace.c mounts_poll). That poll is made at most once per millisecond of
 * Date.now(), so that a process with no such mount pays one clock read per inline open; a
 * mount made in the millisecond before a call may be missed by it. With no such mount the
 * answer is "no" at once; with one, the file's st_dev is asked by statx with
 * AT_STATX_DONT_SYNC and an empty mask, which FUSE, NFS, CIFS and Ceph answer from the inode
 * they hold, without a request to the server.
 *
 * An inline open needs less ({@link openat2OffRemote}): when the mount its walk starts on is
 * local (one statx of "/", the cwd or the dirfd), the open itself is made with RESOLVE_NO_XDEV,
 * which can only succeed on that mount; the full check only follows a walk that crossed a mount.
 *
 * Within one inline run, an fd the run's own open probe opened needs no check before its fstat,
 * close... when the probe's statx of that fd (its file type, fd-type.ts) showed a local st_dev
 * ({@link rememberLocalFd}): file.readAll of a cached file makes 9 calls instead of 11.
 *
 * What this does not cover: a file system stacked over a remote one (overlayfs whose lower
 * layer is on NFS: its type is overlay); a 9p mount without a cache mode, whose getattr asks
 * the server even for AT_STATX_DONT_SYNC (the check itself may then wait); a type not in
 * {@link REMOTE_TYPE}.
 */
import { readFileSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { allocNative, closeHeld, EAGAIN, EXDEV, holdForThisThread, letGo, peekByte, syscall, THREAD_RESOURCE, type Word } from './native/index.js';
import { statxDevice } from './fd-type.js';
import { NR } from './syscalls/nr.js';
import { AT_EMPTY_PATH, AT_FDCWD, AT_STATX_DONT_SYNC, O_CLOEXEC, O_CREAT, O_DIRECTORY, O_NOFOLLOW, O_PATH, O_RDONLY, O_TMPFILE, O_TRUNC, POLLERR, POLLNVAL, POLLPRI, RESOLVE_CACHED, RESOLVE_NO_XDEV } from './syscalls/constants.generated.js';

/**
 * The mount types (mountinfo's field after " - ") whose calls may wait for a server or a
 * userspace daemon: fuse, fuseblk and every fuse.<subtype> (sshfs, gvfsd-fuse, rclone...),
 * virtiofs, NFS, SMB/CIFS, 9p, Ceph, AFS, and the cluster and network file systems Linux ships.
 */
export const REMOTE_TYPE = /^(?:fuse(?:blk)?|fuse\..+|virtiofs|nfs4?|cifs|smb3|smbfs|9p|ceph|afs|coda|ncpfs|orangefs|pvfs2|gfs2|ocfs2|lustre|glusterfs|beegfs|gpfs)$/;

const SYS_openat = NR.openat;
const SYS_openat2 = NR.openat2;
const SYS_statx = NR.statx;
const SYS_close = NR.close;
const SYS_ppoll = NR.ppoll;
const MOUNTINFO = '/proc/self/mountinfo';
// The scratch: a struct statx, a pollfd (at 256), a zero timespec (at 272), an empty C string
// (at 288), "/" as a C string (at 290), an open_how (at 296), mountinfo's path as a C string (at 320).
const POLLFD = 256;
const TIMESPEC = 272;
const EMPTY = 288;
const ROOT = 290;
const HOW = 296;
const PATH = 320;
const scratch = allocNative(PATH + MOUNTINFO.length + 1, 8);
const view = new DataView(scratch.buffer);
new Uint8Array(scratch.buffer, PATH, MOUNTINFO.length + 1).set(Buffer.from(`${MOUNTINFO}\0`, 'latin1'));
view.setUint8(ROOT, 0x2f);
view.setUint8(ROOT + 1, 0);
// The poll's events and its zero timeout never change: set once here (the fd at each open). The
// kernel writes the pollfd's revents at every poll.
view.setInt16(POLLFD + 4, POLLPRI, true);
view.setBigInt64(TIMESPEC, 0n, true);
view.setBigInt64(TIMESPEC + 8, 0n, true);

let mountinfoFd = -1;
let checkedAt = -1;
/** st_dev (major << 20 | minor, the kernel's encoding) of every remote mount; empty when none. */
let remoteDevices = new Set<number>();

/**
 * remoteDevicesIn - the st_dev numbers (major << 20 | minor) of the remote mounts in a
 * mountinfo text ({@link REMOTE_TYPE}).
 */
export function remoteDevicesIn(mountinfo: string): Set<number> {
  const devices = new Set<number>();
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    const dash = fields.indexOf('-', 6);
    const type = dash < 0 ? undefined : fields[dash + 1];
    const device = fields[2];
    if (type === undefined || device === undefined || !REMOTE_TYPE.test(type)) continue;
    const [major, minor] = device.split(':').map(Number);
    if (major !== undefined && minor !== undefined && Number.isInteger(major) && Number.isInteger(minor)) devices.add(major * 0x100000 + minor);
  }
  return devices;
}

// Keeps what it knew when mountinfo cannot be read now (the fd limit): forgetting a remote mount
// would let its calls run inline again.
function reread(): void {
  try {
    remoteDevices = remoteDevicesIn(readFileSync(MOUNTINFO, 'latin1'));
  } catch {
    // kept
  }
}

/**
 * remoteMountsPresent - whether this mount namespace has a remote mount now (as of at most a
 * millisecond ago): when it has none, no inline call can reach one, and no check is needed.
 */
export function remoteMountsPresent(): boolean {
  const now = Date.now();
  if (now !== checkedAt) {
    checkedAt = now;
    if (mountinfoFd < 0) {
      // Opened at the first check, or again after an open refused (the fd limit, no procfs yet):
      // read at each successful open, as its poll reports changes only from then on.
      mountinfoFd = syscall(SYS_openat, -100, scratch.address + PATH, O_RDONLY | O_CLOEXEC, 0);
      if (mountinfoFd >= 0) {
        view.setInt32(POLLFD, mountinfoFd, true);
        keepForThisThread(mountinfoFd);
        reread();
      }
    } else {
      const ready = syscall(SYS_ppoll, scratch.address + POLLFD, 1, scratch.address + TIMESPEC, 0, 8);
      const events = ready > 0 ? view.getInt16(POLLFD + 6, true) : 0;
      if ((events & (POLLPRI | POLLERR)) !== 0) reread();
      // Closed under us (a program that closes every fd it did not open): opened again next time.
      if ((events & POLLNVAL) !== 0) {
        letGo(THREAD_RESOURCE.mountinfo, mountinfoFd);
        mountinfoFd = -1;
      }
    }
  }
  return remoteDevices.size > 0;
}

/**
 * A worker thread's module state is its own, and so is its mountinfo fd: every worker that made
 * an inline call kept one open for the process's life (30 workers, 30 fds). It is closed at the
 * worker's exit, and recorded for the thread (native/thread-resources.ts) so that a terminated
 * worker's — whose JavaScript never runs again — is closed by the next engine started.
 */
function keepForThisThread(fd: number): void {
  if (isMainThread) return;
  holdForThisThread(THREAD_RESOURCE.mountinfo, fd);
  process.once('exit', () => {
    if (mountinfoFd !== fd) return;
    mountinfoFd = -1;
    closeHeld(THREAD_RESOURCE.mountinfo, fd);
  });
}

/**
 * fdOnRemoteMount - whether `fd` names a file on a remote mount. Asks statx(AT_EMPTY_PATH |
 * AT_STATX_DONT_SYNC) for its st_dev only when {@link remoteMountsPresent}.
 *
 * @param fd - any descriptor (an O_PATH one too).
 * @returns false for an fd statx refuses (its call answers that itself).
 */
export function fdOnRemoteMount(fd: Word): boolean {
  if (!remoteMountsPresent()) return false;
  return statxOnRemote(fd, scratch.address + EMPTY, AT_EMPTY_PATH);
}

function statxOnRemote(dirfd: Word, path: Word, flags: number): boolean {
  view.setUint8(EMPTY, 0);
  if (syscall(SYS_statx, dirfd, path, flags | AT_STATX_DONT_SYNC, 0, scratch.address) !== 0) return false;
  return remoteDevices.has(statxDevice(view));
}

/**
 * opensOnRemoteMount - whether an inline open of `path` (relative to `dirfd`, as openat reads
 * them) with `flags` would open a file on a remote mount: asked before the open, whose own call
 * to the file system (FUSE's OPEN) is what waits. The file is found as the open finds it (the
 * dcache alone: openat2 O_PATH with RESOLVE_CACHED, which calls no file system's open, following
 * a final symlink unless the open has O_NOFOLLOW), and its mount told by st_dev. Only when
 * {@link remoteMountsPresent}.
 *
 * @returns true when the open must be made off the event loop's thread; false when it is not on
 *   a remote mount or the dcache cannot say (the open's own RESOLVE_CACHED probe refuses then).
 */
export function opensOnRemoteMount(dirfd: Word, path: Word, flags: number): boolean {
  if (!remoteMountsPresent()) return false;
  view.setBigUint64(HOW, BigInt(O_PATH | O_CLOEXEC | (flags & O_NOFOLLOW)), true);
  view.setBigUint64(HOW + 8, 0n, true);
  view.setBigUint64(HOW + 16, BigInt(RESOLVE_CACHED), true);
  const fd = syscall(SYS_openat2, dirfd, path, scratch.address + HOW, 24);
  if (fd < 0) return false;
  const remote = statxOnRemote(fd, scratch.address + EMPTY, AT_EMPTY_PATH);
  syscall(SYS_close, fd);
  return remote;
}

/** {@link openat2OffRemote}'s answer for a file on a remote mount, which it did not open: below every -errno, never an fd. */
export const ON_REMOTE_MOUNT = -0x20000;

const SLASH = 0x2f;
// Opens that RESOLVE_CACHED refuses (EAGAIN) before any walk: nothing to gain from RESOLVE_NO_XDEV.
// (O_TMPFILE's own bit: the constant includes O_DIRECTORY.)
const CREATES = O_CREAT | O_TRUNC | (O_TMPFILE & ~O_DIRECTORY);

/**
 * openat2OffRemote - an inline open: openat2(dirfd, path, how) with the caller's open_how (at
 * `howAddress`, seen through `how` at `howOffset`; its resolve has RESOLVE_CACHED), made only
 * when it does not open a file on a remote mount, whose open waits for the server.
 *
 * With no remote mount, the open as it is. With one, when the mount the walk starts on is local
 * ({@link startsOnLocalMount}: the root's for an absolute path, else the dirfd's or the cwd's —
 * one statx), the open is made with RESOLVE_NO_XDEV added: it can succeed only on a file of that
 * very mount, and any crossing (a mount point, a symlink or ".." into another mount, a procfs
 * link) fails in the walk, before any file system's open (with RESOLVE_CACHED the kernel answers
 * EAGAIN, not EXDEV: it leaves the RCU walk to cross). So a success is the caller's open, and on
 * a local file — whatever a rename or a mount does meanwhile. Else (a walk that crossed, a path
 * not cached, a remote or unknown start, O_CREAT...) the full check ({@link opensOnRemoteMount},
 * 3 syscalls), then the open as it is. With a remote mount, a cached local open costs 1 statx
 * instead of 3 calls (2.3 µs less); one that crosses a mount costs 1 statx and 1 failed openat2
 * more, until a run of them pauses the tries (docs/reliability.md, session 32).
 *
 * @param path - an address this process owns (the executor's confinement copied it; a slot's
 *   path buffer): its first byte is read.
 * @param flags - the open's flags (O_NOFOLLOW is followed by the full check, O_CREAT... skip the first try).
 * @returns the open's fd or -errno, or {@link ON_REMOTE_MOUNT} (nothing opened).
 */
export function openat2OffRemote(dirfd: Word, path: Word, flags: number, how: DataView, howOffset: number, howAddress: number): number {
  if (!remoteMountsPresent()) return syscall(SYS_openat2, dirfd, path, howAddress, 24);
  let tried = false;
  if (skipTries > 0) {
    skipTries--;
  } else if ((flags & CREATES) === 0 && startsOnLocalMount(dirfd, path)) {
    const resolve = how.getUint32(howOffset + 16, true);
    how.setUint32(howOffset + 16, resolve | RESOLVE_NO_XDEV, true);
    const fd = syscall(SYS_openat2, dirfd, path, howAddress, 24);
    how.setUint32(howOffset + 16, resolve, true);
    if (fd !== -EAGAIN && fd !== -EXDEV) {
      crossedInARow = 0;
      return fd;
    }
    tried = true;
  }
  if (opensOnRemoteMount(dirfd, path, flags)) return ON_REMOTE_MOUNT;
  const fd = syscall(SYS_openat2, dirfd, path, howAddress, 24);
  // Refused with RESOLVE_NO_XDEV, opened without it: the walk crossed a mount (the files of a
  // tmpfs /tmp or a /home mount, seen from "/"). Each such open paid a statx and a failed
  // openat2 on top of the full check (+2 µs); after CROSSED_IN_A_ROW of them, the next
  // SKIPPED_TRIES opens go to the full check at once. Either way is safe; this only picks the
  // cheaper for what the program opens now.
  if (tried && fd >= 0 && ++crossedInARow >= CROSSED_IN_A_ROW) {
    crossedInARow = 0;
    skipTries = SKIPPED_TRIES;
  }
  return fd;
}

/** {@link openat2OffRemote}: opens that crossed a mount in a row before the tries pause, and for how many opens they do. */
const CROSSED_IN_A_ROW = 4;
const SKIPPED_TRIES = 64;
let crossedInARow = 0;
let skipTries = 0;

/**
 * Whether the mount a walk of `path` from `dirfd` starts on is local now: the process root's for
 * an absolute path, else the dirfd's (the cwd's for AT_FDCWD), told by a statx(AT_STATX_DONT_SYNC)
 * of "/" or of the dirfd. Neither is remembered: chroot and chdir give no notice. The cwd only on
 * the main thread: a worker's relative open would race the main thread's process.chdir (Node
 * lets no other thread chdir). Left: a chroot, or a chdir or a close and reuse of the dirfd's
 * number, made by native code on another thread between this statx and the open.
 */
function startsOnLocalMount(dirfd: Word, path: Word): boolean {
  const address = typeof path === 'number' ? path : Number(path);
  if (address <= 0) return false;
  let answered: number;
  if (peekByte(address) === SLASH) {
    answered = syscall(SYS_statx, AT_FDCWD, scratch.address + ROOT, AT_STATX_DONT_SYNC, 0, scratch.address);
  } else if (typeof dirfd === 'number' && (dirfd >= 0 || (dirfd === AT_FDCWD && isMainThread))) {
    view.setUint8(EMPTY, 0);
    answered = syscall(SYS_statx, dirfd, scratch.address + EMPTY, AT_EMPTY_PATH | AT_STATX_DONT_SYNC, 0, scratch.address);
  } else {
    return false;
  }
  return answered === 0 && !remoteDevices.has(statxDevice(view));
}

/**
 * The fds this thread's current inline run opened itself and found local (at most
 * {@link LOCAL_FDS}): {@link callOnRemoteMount} answers false for them without a statx. An
 * inline run is synchronous: between its open and its fstat or close no other code of this
 * thread runs, and the number is the chain's own (another thread that closes it closes a number
 * it does not own: Node's own calls on an fd have the same hazard). The memory ends with the run
 * ({@link forgetLocalFds}, by the executor at each start and end), and an fd with the run's close
 * of it or a dup2, dup3 or close_range it makes: after a hand-off the close may be made on another
 * thread, and the number reused by a file on a remote mount.
 */
const LOCAL_FDS = 8;
const localFds = new Int32Array(LOCAL_FDS);
let localCount = 0;

/**
 * rememberLocalFd - (the open probe) an inline open of the current run answered `fd`, and the
 * statx the probe made of that fd (its file type) read st_dev `device`: when the namespace has
 * remote mounts and the device is none of theirs, the run's later calls on `fd` need no check.
 *
 * @param device - major << 20 | minor (fd-type.ts typedDevice), or -1 when unknown (nothing is kept).
 */
export function rememberLocalFd(fd: number, device: number): void {
  if (device < 0 || remoteDevices.size === 0 || remoteDevices.has(device) || localCount === LOCAL_FDS) return;
  localFds[localCount++] = fd;
}

/** forgetLocalFds - (the executor, at the start and end of each run) forget the fds {@link rememberLocalFd} kept. */
export function forgetLocalFds(): void {
  localCount = 0;
}

/** Whether `fd` is remembered local for this run; a close of it (`nr`) forgets it. */
function rememberedLocal(fd: number, nr: number): boolean {
  for (let i = 0; i < localCount; i++) {
    if (localFds[i] !== fd) continue;
    if (nr === SYS_close) localFds[i] = localFds[--localCount] as number;
    return true;
  }
  return false;
}

/** {@link callOnRemoteMount}'s kinds of call, by x86-64 number: which argument names the file. */
const NOT_A_FILE = 0;
const FD_FIRST = 1;
const DIRFD_AND_PATH = 2;
/** Calls that put another file under an fd number (dup2, dup3) or close several (close_range): the run's memory of local fds goes. */
const FD_TABLE = 3;
const CALL_KINDS = new Uint8Array(1100);
for (const name of ['fstat', 'close', 'lseek', 'fcntl', 'ioctl', 'flock', 'getdents64', 'fsync', 'fdatasync', 'ftruncate', 'fallocate', 'fchmod', 'fchown',
  'read', 'write', 'pread64', 'pwrite64', 'readv', 'writev', 'preadv', 'pwritev', 'preadv2', 'pwritev2', 'copy_file_range', 'splice', 'fadvise64', 'readahead',
  'sync_file_range', 'fgetxattr', 'fsetxattr', 'flistxattr', 'fremovexattr'] as const) {
  const nr = (NR as Readonly<Record<string, number>>)[name];
  if (nr !== undefined) CALL_KINDS[nr] = FD_FIRST;
}
for (const name of ['openat', 'newfstatat', 'statx', 'faccessat2', 'faccessat', 'readlinkat', 'unlinkat', 'mkdirat', 'renameat', 'renameat2', 'fchmodat', 'fchownat', 'utimensat', 'linkat', 'symlinkat', 'mknodat'] as const) {
  const nr = (NR as Readonly<Record<string, number>>)[name];
  if (nr !== undefined) CALL_KINDS[nr] = DIRFD_AND_PATH;
}
for (const name of ['dup2', 'dup3', 'close_range'] as const) {
  const nr = (NR as Readonly<Record<string, number>>)[name];
  if (nr !== undefined) CALL_KINDS[nr] = FD_TABLE;
}

/**
 * callOnRemoteMount - whether a call the executor is about to make inline as it is (a call that
 * never blocks on a local file, or one a chain marked SYSLET_SYNC after its open showed the
 * path cached) reaches a file on a remote mount, where it waits for the server: its fd (fstat's
 * GETATTR, close's FLUSH), or its dirfd and path (statx, faccessat2, readlinkat...), found as
 * {@link opensOnRemoteMount} finds a path, and the dirfd itself for an empty path or one the
 * dcache cannot resolve. A call on no file answers false at once, and any call does while the
 * namespace has no remote mount.
 *
 * @param nr - the x86-64 number.
 * @param args - its arguments (the fd, or the dirfd and path, first).
 * @param device - for a call on an fd: its file's st_dev (major << 20 | minor) when a statx of
 *   that fd made just now for this very call read it (fd-type.ts typedDevice), so that the
 *   check needs no statx of its own; -1 (the default) to ask.
 */
export function callOnRemoteMount(nr: number, args: readonly Word[], device = -1): boolean {
  const kind = nr >= 0 && nr < CALL_KINDS.length ? CALL_KINDS[nr] : NOT_A_FILE;
  if (kind === NOT_A_FILE) return false;
  if (kind === FD_TABLE) {
    localCount = 0;
    return false;
  }
  if (!remoteMountsPresent()) return false;
  const fd = args[0] as Word;
  if (kind === FD_FIRST) {
    if (typeof fd !== 'number' || fd < 0 || (localCount > 0 && rememberedLocal(fd, nr))) return false;
    return device >= 0 ? remoteDevices.has(device) : statxOnRemote(fd, scratch.address + EMPTY, AT_EMPTY_PATH);
  }
  // A relative path starts at the dirfd (or the cwd: AT_FDCWD, which statx of "" reads as the cwd).
  return opensOnRemoteMount(fd, args[1] as Word, 0) || (typeof fd === 'number' && (fd >= 0 || fd === -100) && statxOnRemote(fd, scratch.address + EMPTY, AT_EMPTY_PATH));
}
