/**
 * The kind of file an fd names now, for the rules that depend on it: which positional calls the
 * ring may make (uring-fd-rules.ts), whether a short read can be continued at its position
 * (probe.ts), whether a cachemiss thread's watchdog may interrupt a read (cachemiss-watchdog.ts).
 * Each asks the kernel when the call runs, never from memory: the program may close a number and
 * get it again for another kind of file.
 *
 * Asked with statx(AT_EMPTY_PATH | AT_STATX_DONT_SYNC, STATX_TYPE), not fstat: on a FUSE or NFS
 * file an fstat asks the server for fresh attributes (GETATTR) whenever the cached ones have
 * timed out, and waits for its answer on the calling thread (fusehang29: a FileHandle.read of a
 * FUSE file whose server answers after 300 ms held the event loop 611 ms, in this fstat). A
 * file's type never changes, so the inode the kernel holds answers it exactly, without a
 * request; on a local file system AT_STATX_DONT_SYNC changes nothing.
 */
import { allocNative, syscall, type Word } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { AT_EMPTY_PATH, AT_STATX_DONT_SYNC, S_IFMT, STATX_TYPE } from './syscalls/constants.generated.js';

const SYS_statx = NR.statx;
// struct statx (include/uapi/linux/stat.h): stx_mode is a __u16 at byte 28; then an empty C
// string for the AT_EMPTY_PATH path.
const STX_MODE = 28;
// stx_dev_major and stx_dev_minor: statx fills them whatever the mask.
const STX_DEV_MAJOR = 136;
const STX_DEV_MINOR = 140;
const STATX_BYTES = 256;
const EMPTY_PATH = STATX_BYTES;
const FLAGS = AT_EMPTY_PATH | AT_STATX_DONT_SYNC;
// Allocated with the module, not at the first call: native memory that appeared in the middle of a
// run read as growth in P6's check (144 B between 100k and 1M requests).
const statBlock = allocNative(STATX_BYTES + 8, 8);
const statView = new DataView(statBlock.buffer);
const statAddress = statBlock.address;
const emptyPath = statBlock.address + EMPTY_PATH;
statView.setUint8(EMPTY_PATH, 0);
/** The fd the block's last successful statx answered for (-1: none, or a later one failed). */
let typedFd = -1;
/** Successful {@link fileTypeOf} calls on this thread (see {@link typedAnswers}). */
let answers = 0;

/**
 * fileTypeOf - the file type of `fd` now (st_mode & S_IFMT: S_IFREG, S_IFIFO, S_IFSOCK...), by
 * statx(2) of the fd with AT_STATX_DONT_SYNC (no request to a network or FUSE server).
 *
 * @param fd - the descriptor (a bigint is never one).
 * @returns the type bits, or -1 when statx refuses the number (EBADF...).
 * @example
 * ```ts
 * const isPipe = fileTypeOf(fd) === S_IFIFO;
 * ```
 */
export function fileTypeOf(fd: Word): number {
  // A negative number is no fd (fstat's EBADF), though statx would read AT_FDCWD (-100) as the cwd.
  if (typeof fd !== 'number' || fd < 0 || syscall(SYS_statx, fd, emptyPath, FLAGS, STATX_TYPE, statAddress) !== 0) {
    typedFd = -1;
    return -1;
  }
  typedFd = fd;
  answers++;
  return statView.getUint16(STX_MODE, true) & S_IFMT;
}

/**
 * typedDevice - the st_dev (major << 20 | minor, the kernel's encoding) that this thread's last
 * {@link fileTypeOf} read, when that call was on `fd` and answered: what the same statx said
 * about the file's mount, for a caller that asked the type a moment ago (the open probe:
 * engine/remote-mounts.ts rememberLocalFd).
 *
 * @returns the device number, or -1 when the last fileTypeOf was on another fd or failed.
 */
export function typedDevice(fd: number): number {
  if (fd !== typedFd || fd < 0) return -1;
  return statxDevice(statView);
}

/**
 * statxDevice - the st_dev of the struct statx at the start of `view`, in the kernel's encoding
 * (major << 20 | minor: the numbers /proc/self/mountinfo's major:minor make, which is how
 * engine/remote-mounts.ts knows a mount's device). statx fills stx_dev_major and stx_dev_minor
 * whatever the mask asked.
 *
 * @param view - a view whose byte 0 is a struct statx a successful statx filled.
 * @returns the device number.
 */
export function statxDevice(view: DataView): number {
  return view.getUint32(STX_DEV_MAJOR, true) * 0x100000 + view.getUint32(STX_DEV_MINOR, true);
}

/**
 * typedAnswers - how many times {@link fileTypeOf} has answered on this thread. A caller that
 * reads it before and after a check it does not own knows whether that check asked the kernel
 * just now, and so whether {@link typedDevice} speaks of the file the fd names now (the io_uring
 * engine: the position rule's statx of a read's fd also tells its mount, remote-mounts.ts).
 *
 * @returns a count that only grows.
 */
export function typedAnswers(): number {
  return answers;
}
