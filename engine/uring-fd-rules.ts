/**
 * Which fds a ring request may use for a call, beyond what its opcode needs: the rules that keep
 * every difference between an opcode and its syscall out of the ring (see RingCall.position and
 * RingCall.streams). Each asks the kernel about the fd when the atom runs, never from memory of
 * an earlier call: the program may close a number and get it again for another kind of file.
 */
import { syscall, ESPIPE, type Word } from './native/index.js';
import type { CompiledSyscall } from './compiled-table.js';
import type { RingCall } from './uring-opcodes.js';
import { NR } from './syscalls/nr.js';
import { F_GETFL, O_NONBLOCK, SEEK_CUR } from './syscalls/constants.generated.js';

const SYS_lseek = NR.lseek;
const SYS_fcntl = NR.fcntl;
const SYS_preadv2 = NR.preadv2;
const SYS_pwritev2 = NR.pwritev2;

/**
 * The position rule of RingCall.position, for these arguments. `takesOffsets`: the executor's
 * positional probe of this call has just shown that the fd takes offsets (see RingPort.prepare).
 */
export function positionAllows(call: RingCall, compiled: CompiledSyscall, args: readonly Word[], takesOffsets: boolean): boolean {
  const fd = args[0];
  if (typeof fd !== 'number') return false;
  // preadv2/pwritev2 at offset -1 read and write at the file position.
  const current = call.position === 'current' || (compiled.posArg >= 0 && args[compiled.posArg] === -1);
  if (takesOffsets && !current) return true;
  if (current) return syscall(SYS_lseek, fd, 0, SEEK_CUR) === -ESPIPE;
  return takesOffsetsNow(call, fd);
}

/**
 * Whether the kernel lets this fd be read (or written, as the call does) at an offset: a
 * zero-length preadv2/pwritev2 at offset 0 answers -ESPIPE exactly where pread/pwrite would
 * (files opened without FMODE_PREAD/FMODE_PWRITE), and reads or writes nothing anywhere else.
 * lseek is not the same question: an eventfd, a timerfd or an io_uring fd answers lseek with 0
 * but pread with ESPIPE, and io_uring would read such an fd at the "offset" anyway — a READ on
 * an eventfd then waits for a count and takes it from whoever else waits on that eventfd.
 */
function takesOffsetsNow(call: RingCall, fd: number): boolean {
  const writes = call.op === 'WRITE' || call.op === 'WRITEV';
  return syscall(writes ? SYS_pwritev2 : SYS_preadv2, fd, 0, 0, 0, 0, 0) !== -ESPIPE;
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
