/**
 * Which fds a ring request may use for a call, beyond what its opcode needs: the rules that keep
 * every difference between an opcode and its syscall out of the ring (see RingCall.position and
 * RingCall.streams). Each asks the kernel about the fd when the atom runs, never from memory of
 * an earlier call: the program may close a number and get it again for another kind of file.
 */
import { syscall, ESPIPE, type Word } from './native/index.js';
import { fileTypeOf } from './fd-type.js';
import type { CompiledSyscall } from './compiled-table.js';
import type { RingCall } from './uring-opcodes.js';
import { NR } from './syscalls/nr.js';
import { F_GETFL, O_NONBLOCK, SEEK_CUR, S_IFBLK, S_IFREG } from './syscalls/constants.generated.js';

const SYS_lseek = NR.lseek;
const SYS_fcntl = NR.fcntl;

/**
 * fdsAllow - whether the ring may make this call with these arguments, as far as its fds go: the
 * position rule ({@link positionAllows}) and the stream rule ({@link nonblockingStream}) of its
 * RingCall, each asked of the kernel now.
 */
export function fdsAllow(call: RingCall, compiled: CompiledSyscall, args: readonly Word[], takesOffsets: boolean): boolean {
  if (call.position !== undefined && !positionAllows(call, compiled, args, takesOffsets)) return false;
  if (call.streams !== undefined) for (const arg of call.streams) if (nonblockingStream(args[arg] as Word)) return false;
  return true;
}

/**
 * The position rule of RingCall.position, for these arguments. A positional call goes to the
 * ring only on a regular file or a block device, asked of the kernel (fstat) when the atom runs:
 * - on a pipe, a socket, an eventfd or a timerfd pread answers ESPIPE, where io_uring reads "at
 *   the offset" anyway — an eventfd's READ then waits for a count and takes it from its owner
 *   (lseek cannot tell: it answers 0 on an eventfd);
 * - on a character device io_uring's first, non-blocking attempt may stop short and is completed
 *   as it is: /dev/zero copies a page at a time and stops when the task should reschedule, where
 *   the syscall goes on (an async 256 KiB read answered 4096 on a busy machine).
 * `takesOffsets`: the executor's RWF_NOWAIT probe of this very call would have blocked (or could
 * not be made), so the fd takes offsets. That answers the first question only; it is enough for
 * a write (no device here stops a non-blocking write short where the syscall would go on, and a
 * buffered ext4 write, which always hands off, is spared a syscall), not for a read.
 */
export function positionAllows(call: RingCall, compiled: CompiledSyscall, args: readonly Word[], takesOffsets: boolean): boolean {
  const fd = args[0];
  if (typeof fd !== 'number') return false;
  // preadv2/pwritev2 at offset -1 read and write at the file position.
  const current = call.position === 'current' || (compiled.posArg >= 0 && args[compiled.posArg] === -1);
  if (current) return syscall(SYS_lseek, fd, 0, SEEK_CUR) === -ESPIPE;
  if (takesOffsets && (call.op === 'WRITE' || call.op === 'WRITEV')) return true;
  return regularOrBlockDevice(fd);
}

/** Whether `fd` is a regular file or a block device now (the number may be reused). */
function regularOrBlockDevice(fd: number): boolean {
  const type = fileTypeOf(fd);
  return type === S_IFREG || type === S_IFBLK;
}

/**
 * Whether `fd` is a pipe, socket or terminal opened O_NONBLOCK: its syscall answers -EAGAIN at
 * once where io_uring would wait for data (see RingCall.streams).
 */
export function nonblockingStream(fd: Word): boolean {
  if (typeof fd !== 'number') return false;
  const flags = syscall(SYS_fcntl, fd, F_GETFL, 0);
  return flags >= 0 && (flags & O_NONBLOCK) !== 0 && syscall(SYS_lseek, fd, 0, SEEK_CUR) === -ESPIPE;
}
