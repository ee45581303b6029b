/**
 * The request engine's raw entry, for control blocks that are not an x86-64 Aiocb: compat32's
 * i386 `struct aiocb` in a low arena has its status fields at other offsets and 4 bytes wide
 * (`__error_code`@96, `__return_value`@100). The same canned chains run, with aio_status's
 * `width` parameter 4; ordering, cancellation and notification are the same as for aio_read.
 */
import { syscall, EAGAIN, EBADF, EFAULT, EINPROGRESS, EINVAL } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_GETFL } from '../engine/syscalls/constants.generated.js';
import type { Word } from '../engine/native/index.js';
import type { SigevNotifyFunction } from './aiocb.js';
import { aioEngine } from './context.js';
import { AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, AIO_PRIO_DELTA_MAX, ECANCELED, SIGEV_NONE } from './constants.js';
import { errno } from './errno.js';
import { OP_FDATASYNC, OP_FSYNC, OP_READ, OP_WRITE } from './types.js';
import { Request, IDLE, RUNNING } from './request.js';
import { chainEnded, drain, enqueueRequest, unqueue } from './requests.js';
import { completeUnrun } from './request-unrun.js';

/** One raw submission. Addresses must lie in engine memory or a registered buffer. */
export interface RawSubmission {
  /** The operation, as aio_read, aio_write, or aio_fsync with O_SYNC / O_DSYNC. */
  readonly op: 'read' | 'write' | 'fsync' | 'fdatasync';
  /** The file descriptor. */
  readonly fd: number;
  /** Buffer address (ignored for fsync). */
  readonly buf?: number;
  /** Bytes to transfer (default 0; ignored for fsync). */
  readonly nbytes?: number;
  /** File offset (default 0; ignored for fsync). */
  readonly offset?: number | bigint;
  /** 0..20; ignored for fsync. */
  readonly reqprio?: number;
  /** Address of the 4-byte error code field. */
  readonly errorCodeAddress: number;
  /** Address of the return value field (`width` bytes). */
  readonly returnValueAddress: number;
  /** 8 for x86-64 control blocks, 4 for i386 ones. */
  readonly width: 4 | 8;
  /** Completion notification, as in `struct sigevent` (default: none). */
  readonly sigevent?: {
    /** SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD. */
    readonly notify: number;
    /** The signal for SIGEV_SIGNAL (default 0). */
    readonly signo?: number;
    /** sigev_value: delivered as si_value, or passed to `fn` (default 0). */
    readonly value?: Word;
    /** SIGEV_THREAD's function, called on the JS event loop (default null). */
    readonly fn?: SigevNotifyFunction | null;
  };
}

const SYS_fcntl = NR.fcntl;

const OPS = { read: OP_READ, write: OP_WRITE, fsync: OP_FSYNC, fdatasync: OP_FDATASYNC } as const;

/** A request submitted with {@link submitRaw}: its status, read from the caller's fields. */
export class RawAioRequest {
  /** @internal */
  readonly _request: Request;

  /** @internal */
  constructor(request: Request) {
    this._request = request;
  }

  /** aio_error's view: EINPROGRESS, 0 or an errno. */
  error(): number {
    return this._request.error;
  }

  /** aio_return's view: bytes, 0, or -1. */
  returned(): number {
    return this._request.returned;
  }

  /** Whether it is still queued or running. */
  get inProgress(): boolean {
    return this._request.state !== IDLE;
  }

  /** aio_cancel of this request: AIO_CANCELED, AIO_NOTCANCELED or AIO_ALLDONE. */
  cancel(): number {
    const request = this._request;
    if (request.state === IDLE || request.error !== EINPROGRESS) return AIO_ALLDONE;
    if (request.state === RUNNING) return AIO_NOTCANCELED;
    const state = unqueue(request);
    if (state === null) return AIO_NOTCANCELED;
    completeUnrun(request, ECANCELED);
    drain(state);
    return AIO_CANCELED;
  }
}

/**
 * submitRaw - queue a request whose status fields live at given addresses, `width` bytes wide.
 *
 * @param submission - the request.
 * @returns the request handle, or a negative errno: -EINVAL (unknown op, width not 4 or 8;
 *   reqprio out of range, also written to the status fields as aio_read does), -EFAULT (the
 *   status fields are not in one region of engine memory), -EBADF (fsync/fdatasync of an fd that
 *   is not open, checked now as aio_fsync does), -EAGAIN (the engine refused).
 * @example
 * ```ts
 * const handle = submitRaw({ op: 'read', fd, buf: cb32.buf, nbytes: 4096, offset: 0,
 *   errorCodeAddress: cb32.address + 96, returnValueAddress: cb32.address + 100, width: 4 });
 * ```
 */
export function submitRaw(submission: RawSubmission): RawAioRequest | number {
  const op = OPS[submission.op];
  const { width, errorCodeAddress, returnValueAddress } = submission;
  if (op === undefined || (width !== 4 && width !== 8)) return -EINVAL;
  const region = aioEngine().memory.find(errorCodeAddress, 4);
  const reachable = region !== null && returnValueAddress >= region.start && returnValueAddress + width <= region.end;
  // (Made before the checks only to write a refusal into the status fields; nothing is queued yet.)
  const request = reachable ? new Request(region.view, errorCodeAddress - region.start, errorCodeAddress, returnValueAddress - region.start, returnValueAddress, width, chainEnded, aioEngine().policy) : null;
  const reqprio = submission.reqprio ?? 0;
  if (op < OP_FSYNC && (!Number.isInteger(reqprio) || reqprio < 0 || reqprio > AIO_PRIO_DELTA_MAX)) {
    // As aio_read/aio_write (and glibc's __aio_enqueue_request): the refusal is also the control
    // block's status, so the program's aio_error after the -1 reads EINVAL, not a stale value.
    request?.setStatus(EINVAL, -1);
    return -EINVAL;
  }
  if (request === null) return -EFAULT;
  // As aio_fsync (glibc's rt/aio_fsync.c): an fd that is not open is refused now, nothing queued.
  if (op >= OP_FSYNC && syscall(SYS_fcntl, submission.fd, F_GETFL) < 0) return -EBADF;
  const handle = new RawAioRequest(request);
  request.oneShot = true;
  request.fd = submission.fd;
  request.buf = op < OP_FSYNC ? (submission.buf ?? 0) : 0;
  request.nbytes = op < OP_FSYNC ? (submission.nbytes ?? 0) : 0;
  request.offset = op < OP_FSYNC ? (submission.offset ?? 0) : 0;
  request.reqprio = op < OP_FSYNC ? reqprio : 0;
  const sigevent = submission.sigevent;
  request.signo = sigevent?.signo ?? 0;
  request.value = sigevent?.value ?? 0;
  request.notifyFunction = sigevent?.fn ?? null;
  const submitted = enqueueRequest(request, handle, op, sigevent?.notify ?? SIGEV_NONE, null);
  if (submitted !== 0) return -(errno() || EAGAIN);
  return handle;
}
