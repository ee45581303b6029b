/** aio_read(3): glibc's rt/aio_read.c — one call into the request engine. */
import { EINVAL } from '../engine/native/index.js';
import { Aiocb } from './aiocb.js';
import { failWith } from './errno.js';
import { OP_READ } from './types.js';
import { submitAiocb } from './requests.js';

/**
 * aio_read - queue a read of `aio_nbytes` bytes at `aio_offset` of `aio_fildes` into `aio_buf`.
 *
 * The request is the canned chain aio.read (pread64, then aio_status), with notify.signal
 * composed on the end for SIGEV_SIGNAL; on a pipe or socket, aio.readStream (read), one at a
 * time per fd in submission order. A read the page cache can serve completes inline: it is
 * complete when aio_read returns (POSIX allows this), and aio_error already gives 0.
 *
 * @param aiocbp - the control block; it must stay untouched until the request completes.
 * @returns 0 when queued (errors of the I/O itself — EBADF for a bad fd or one not open for
 *   reading, EINVAL for a negative offset — come later through aio_error, with aio_return -1);
 *   -1 with errno:
 *   - EINVAL: aio_reqprio outside 0..AIO_PRIO_DELTA_MAX (the aiocb's status also becomes
 *     EINVAL/-1, as in glibc); aiocbp is not an Aiocb or is already in progress; aio_nbytes
 *     exceeds the buffer given as aio_buf.
 *   - EAGAIN: the engine cannot take another request now.
 * @example
 * ```ts
 * const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: 0 });
 * if (aio_read(cb) === -1) throw new Error(`aio_read: ${errnoName(errno())}`);
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_read.html
 */
export function aio_read(aiocbp: Aiocb): number {
  if (!(aiocbp instanceof Aiocb)) return failWith(EINVAL);
  return submitAiocb(aiocbp, OP_READ, null);
}

/** aio_read64 - the LFS name; on x86-64 the same function (off_t is 64 bits). */
export const aio_read64 = aio_read;
