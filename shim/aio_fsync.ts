/** aio_fsync(3): glibc's rt/aio_fsync.c — check op and fd at once, then queue a barrier. */
import { syscall, EBADF, EINVAL } from '../engine/native/index.js';
import { Aiocb } from './aiocb.js';
import { O_DSYNC, O_SYNC } from './constants.js';
import { failWith } from './errno.js';
import { OP_FDATASYNC, OP_FSYNC } from './types.js';
import { submitAiocb } from './request-submit.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL } from '../engine/syscalls/constants.generated.js';

const SYS_fcntl = NR.fcntl;

/**
 * aio_fsync - queue an fsync (O_SYNC) or fdatasync (O_DSYNC) of `aio_fildes` that completes
 * only after every request submitted before it on that fd.
 *
 * The request is the canned chain aio.fsync / aio.fdatasync (+ notify.signal for SIGEV_SIGNAL),
 * queued as a barrier in the fd's FIFO: it starts when the earlier requests of the fd have all
 * completed. aio_buf, aio_nbytes, aio_offset and aio_reqprio are ignored.
 *
 * @param op - O_SYNC or O_DSYNC.
 * @param aiocbp - the control block (aio_fildes and aio_sigevent are used).
 * @returns 0 when queued; -1 with errno EINVAL (op is neither O_SYNC nor O_DSYNC; not an Aiocb;
 *   already in progress), EBADF (aio_fildes is not an open fd: checked now, as glibc does with
 *   fcntl(F_GETFL)), EAGAIN.
 * @example
 * ```ts
 * aio_write(w);
 * aio_fsync(O_SYNC, sync); // completes after w
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_fsync.html
 */
export function aio_fsync(op: number, aiocbp: Aiocb): number {
  if (op !== O_SYNC && op !== O_DSYNC) return failWith(EINVAL);
  if (!(aiocbp instanceof Aiocb)) return failWith(EINVAL);
  if (syscall(SYS_fcntl, aiocbp.aio_fildes, F_GETFL) < 0) return failWith(EBADF);
  return submitAiocb(aiocbp, op === O_SYNC ? OP_FSYNC : OP_FDATASYNC, null);
}

/** aio_fsync64 - the LFS name; on x86-64 the same function. */
export const aio_fsync64 = aio_fsync;
