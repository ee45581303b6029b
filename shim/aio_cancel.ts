/** aio_cancel(3): glibc's rt/aio_cancel.c — take queued requests out of their fd's FIFO. */
import { syscall, EBADF, ECANCELED, EINPROGRESS, EINVAL } from '../engine/native/index.js';
import { Aiocb } from './aiocb.js';
import { aioEngine } from './context.js';
import { AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED } from './constants.js';
import { failWith } from './errno.js';
import { IDLE, RUNNING, type Request } from './request.js';
import { drain, fdState, recall, unqueue } from './requests.js';
import { completeUnrun } from './request-unrun.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL } from '../engine/syscalls/constants.generated.js';

const SYS_fcntl = NR.fcntl;

/**
 * aio_cancel - cancel one request, or every request of an fd.
 *
 * A request still waiting in its fd's FIFO (behind a stream request, an O_APPEND write or an
 * fsync) is cancelled: its status becomes ECANCELED with aio_return -1, it is notified as usual
 * (signal, thread, list), and the requests queued behind it move on — unless the request before
 * it in a stream's line has just ended and its cachemiss thread has started it. A request
 * already handed to the engine — running inline, on a cachemiss thread, or waiting for one —
 * cannot be recalled.
 *
 * @param fildes - the fd.
 * @param aiocbp - the request to cancel, or null/omitted for all of the fd's requests.
 * @returns
 *   - AIO_CANCELED: every targeted request was cancelled.
 *   - AIO_NOTCANCELED: at least one is running (with null: the queued ones are cancelled anyway).
 *   - AIO_ALLDONE: already completed (with null: nothing of the fd was queued or running).
 *   - -1 with errno EBADF (fildes is not an open fd) or EINVAL (aiocbp.aio_fildes is not
 *     fildes — glibc's choice; POSIX leaves it unspecified —, aiocbp is not an Aiocb, or it says
 *     EINPROGRESS but was never submitted).
 * @example
 * ```ts
 * if (aio_cancel(fd, cb) === AIO_CANCELED) console.log(aio_error(cb) === ECANCELED);
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_cancel.html
 */
export function aio_cancel(fildes: number, aiocbp?: Aiocb | null): number {
  // fcntl would truncate a number beyond 32 bits to some other, possibly open, fd.
  if (!Number.isInteger(fildes) || fildes < -2147483648 || fildes > 2147483647 || syscall(SYS_fcntl, fildes, F_GETFL) < 0) return failWith(EBADF);
  if (aiocbp == null) return cancelAll(fildes);
  if (!(aiocbp instanceof Aiocb)) return failWith(EINVAL);
  if (aiocbp.aio_fildes !== fildes) return failWith(EINVAL);
  const request = aiocbp._request;
  if (request.error !== EINPROGRESS) return AIO_ALLDONE;
  if (request.state === IDLE) return failWith(EINVAL);
  if (request.state === RUNNING) return AIO_NOTCANCELED;
  const state = unqueue(request);
  if (state === null) return AIO_NOTCANCELED;
  completeUnrun(request, ECANCELED);
  // What was queued behind it must not be stranded.
  drain(state);
  return AIO_CANCELED;
}

function cancelAll(fd: number): number {
  // Chains that finished on cachemiss threads but were not reported yet are not "running".
  aioEngine().pump();
  const state = fdState(fd);
  if (state === undefined) return AIO_ALLDONE;
  const cancelled: Request[] = [];
  // A request linked to start after the one before it cannot be recalled once that one has
  // ended: it runs now, and stays at the head of the FIFO, in order, until the JS thread sees it.
  const started: Request[] = [];
  for (const request of state.queue.takeAll()) (recall(request) ? cancelled : started).push(request);
  for (const request of started) state.queue.push(request);
  for (const request of cancelled) {
    request.tracked = null;
    completeUnrun(request, ECANCELED);
  }
  const running = state.running > 0 || started.length > 0 || (state.serial !== null && !state.serial.statusPublished());
  drain(state);
  if (running) return AIO_NOTCANCELED;
  return cancelled.length > 0 ? AIO_CANCELED : AIO_ALLDONE;
}

/** aio_cancel64 - the LFS name; on x86-64 the same function. */
export const aio_cancel64 = aio_cancel;
