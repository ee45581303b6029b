/** aio_read(3): glibc's rt/aio_read.c — one call into the request engine. */
import * as nativeExports from '../engine/native/index.js';
import * as aiocbExports from './aiocb.js';
import type { Aiocb } from './aiocb.js';
import * as errnoExports from './errno.js';
import * as typesExports from './types.js';
import * as requestSubmitExports from './request-submit.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { EINVAL } = nativeExports;
const { Aiocb: AiocbClass } = aiocbExports;
const { failWith } = errnoExports;
const { OP_READ } = typesExports;
const { submitAiocb } = requestSubmitExports;

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
  if (!(aiocbp instanceof AiocbClass)) return failWith(EINVAL);
  return submitAiocb(aiocbp, OP_READ, null);
}

/** aio_read64 - the LFS name; on x86-64 the same function (off_t is 64 bits). */
export const aio_read64 = aio_read;
