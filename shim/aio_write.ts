/** aio_write(3): glibc's rt/aio_write.c — one call into the request engine. */
import { EINVAL } from '../engine/native/index.js';
import { Aiocb } from './aiocb.js';
import { failWith } from './errno.js';
import { OP_WRITE } from './types.js';
import { submitAiocb } from './request-submit.js';

/**
 * aio_write - queue a write of `aio_nbytes` bytes from `aio_buf` at `aio_offset` of `aio_fildes`.
 *
 * The request is the canned chain aio.write (pwrite64, then aio_status; notify.signal composed
 * for SIGEV_SIGNAL). On an O_APPEND fd, Linux's pwrite appends whatever the offset, and the
 * writes of one fd run one at a time in submission order, so they append in that order; on a
 * pipe or socket, aio.writeStream (write) runs them in the same FIFO. Positional writes on a
 * regular file run in parallel. aio_write reads the fd's flags (one fcntl) to know about O_APPEND.
 *
 * @param aiocbp - the control block; it must stay untouched until the request completes.
 * @returns 0 when queued (EBADF for a bad fd or one opened read-only, EINVAL for a negative
 *   offset, EFBIG, ENOSPC... come later through aio_error); -1 with errno EINVAL (aio_reqprio
 *   outside 0..20; not an Aiocb; already in progress; aio_nbytes beyond the buffer) or EAGAIN.
 * @example
 * ```ts
 * const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('hello'), aio_offset: 512 });
 * aio_write(cb);
 * while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_write.html
 */
export function aio_write(aiocbp: Aiocb): number {
  if (!(aiocbp instanceof Aiocb)) return failWith(EINVAL);
  return submitAiocb(aiocbp, OP_WRITE, null);
}

/** aio_write64 - the LFS name; on x86-64 the same function. */
export const aio_write64 = aio_write;
