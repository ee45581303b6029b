/**
 * Submission of the POSIX requests (split from requests.ts): what aio_read, aio_write, aio_fsync
 * and lio_listio's entries (submitAiocb), and the Promise twins (submitView), read from the aiocb
 * or are given, the buffer's registration held, before the request engine classifies and starts
 * or queues the request (requests.ts enqueueRequest).
 */
import * as wordsExports from '../engine/words.js';
import * as nativeExports from '../engine/native/index.js';
import type { Word } from '../engine/native/index.js';
import * as heldRangesExports from './held-ranges.js';
import type { BufferRegistration } from './view-registrations.js';
import * as constantsExports from './constants.js';
import * as errnoExports from './errno.js';
import * as typesExports from './types.js';
import * as requestExports from './request.js';
import type { AiocbSource } from './request.js';
import { type ListGroup } from './types.js';
import * as requestSettleExports from './request-settle.js';
import * as requestsExports from './requests.js';
import * as requestRoomExports from './request-room.js';

// Imported bindings as this module's own consts (see requests.ts: TurboFan folds a module's
// consts into the code, and loads an imported binding's cell at every use).
const { readPointer, readWord } = wordsExports;
const { EAGAIN, EINVAL } = nativeExports;
const { holdBuffer } = heldRangesExports;
const { AIO_PRIO_DELTA_MAX, AIOCB, SIGEVENT, SIGEV_NONE } = constantsExports;
const { failWith } = errnoExports;
const { OP_FSYNC } = typesExports;
const { IDLE } = requestExports;
const { settle } = requestSettleExports;
const { enqueueRequest } = requestsExports;
const { waitsForRoom } = requestRoomExports;

/**
 * submitAiocb - enqueue the request an aiocb describes (aio_read, aio_write, aio_fsync, and
 * lio_listio's entries).
 * @param filePosition - read/write at the fd's current file position, ignoring aio_offset (the
 *   Promise twins' `position: null`; the C calls never ask for it).
 * @returns 0, or -1 with errno: EINVAL (aio_reqprio outside 0..20, the aiocb is already in
 *   progress, aio_nbytes beyond the buffer given as aio_buf), EAGAIN (the engine is out of
 *   request slots).
 */
export function submitAiocb(cb: AiocbSource, op: number, group: ListGroup | null, filePosition = false): number {
  const request = cb._request;
  if (request.state !== IDLE && !settle(request)) return failWith(EINVAL);
  // (A request that waited for room and was cancelled kept the mark.)
  if (request.needsHold) request.needsHold = false;
  request.filePosition = filePosition && op < OP_FSYNC;
  const view = cb._view;
  const base = cb._base;
  request.fd = view.getInt32(base + AIOCB.aio_fildes, true);
  if (op >= OP_FSYNC) {
    // aio_fsync ignores buf, nbytes, offset and reqprio (it is queued at priority 0).
    request.buf = 0;
    request.nbytes = 0;
    request.offset = 0;
    request.reqprio = 0;
  } else {
    const reqprio = view.getInt32(base + AIOCB.aio_reqprio, true);
    if (reqprio < 0 || reqprio > AIO_PRIO_DELTA_MAX) {
      request.setStatus(EINVAL, -1);
      return failWith(EINVAL);
    }
    const buf = readPointer(view, base + AIOCB.aio_buf);
    const nbytes = readPointer(view, base + AIOCB.aio_nbytes);
    const length = cb._bufferLength(buf);
    // A chain may touch the whole registered backing store; keep it to the view the caller gave.
    if (length >= 0 && (nbytes < 0 || nbytes > length)) return failWith(EINVAL);
    request.buf = buf;
    request.nbytes = nbytes;
    request.offset = readWord(view, base + AIOCB.aio_offset);
    request.reqprio = reqprio;
    const registration = request.buffer;
    // Only the view given as aio_buf is registered; a raw address (or one the program wrote into
    // the struct since) must already lie in engine memory or a region the program registered.
    if (registration !== null && length >= 0 && nbytes > 0) {
      const held = holdBuffer(registration, buf, nbytes);
      if (held === false) {
        if (!waitsForRoom(request)) return failWith(EAGAIN);
      } else {
        // (Kept from the request before when it is the same range: no store, no write barrier.)
        if (request.heldRange !== held) request.heldRange = held;
        request.holdsBuffer = true;
      }
    }
  }
  const sigevent = base + AIOCB.aio_sigevent;
  const notify = view.getInt32(sigevent + SIGEVENT.sigev_notify, true);
  if (notify !== SIGEV_NONE) {
    request.signo = view.getInt32(sigevent + SIGEVENT.sigev_signo, true);
    request.value = readWord(view, sigevent + SIGEVENT.sigev_value);
  }
  return enqueueRequest(request, cb, op, notify, group);
}

/**
 * @internal submitView - enqueue a read or write of all of a view (the Promise twins): what
 * submitAiocb does for such a request, with the values handed in. The twins' aiocbs are pooled
 * and seen by no caller, and writing aio_buf, aio_nbytes, aio_offset and aio_reqprio through
 * the setters only for submitAiocb to read them back out of the struct was a tenth of an
 * aio.read's JavaScript. The struct keeps aio_fildes (aio_cancel reads it) and the status. Its
 * sigevent is never read: nothing gives a pooled aiocb one (they are made with the default,
 * SIGEV_NONE), and the twins notify through their Promise.
 * @param fd - the struct's aio_fildes, which the caller has just made sure of (read back through
 *   a DataView it was ~15 instructions a read).
 * @param registration - the view's, from registrationOf (its byteLength is the view's now).
 * @param offset - where (ignored when `filePosition`); reqprio is checked here as submitAiocb does.
 * @returns as submitAiocb.
 */
export function submitView(cb: AiocbSource, op: number, fd: number, registration: BufferRegistration, offset: Word, reqprio: number, filePosition: boolean): number {
  const request = cb._request;
  if (request.state !== IDLE && !settle(request)) return failWith(EINVAL);
  request.filePosition = filePosition;
  request.fd = fd;
  if (reqprio < 0 || reqprio > AIO_PRIO_DELTA_MAX) {
    request.setStatus(EINVAL, -1);
    return failWith(EINVAL);
  }
  const nbytes = registration.byteLength;
  // An empty view (a detached store) has no address to give: the kernel is asked for 0 bytes at
  // the aiocb's own (engine memory), as a read of 0 bytes of any buffer is answered.
  request.buf = nbytes > 0 ? registration.address : request.errorAddress;
  request.nbytes = nbytes;
  request.offset = offset;
  request.reqprio = reqprio;
  request.buffer = registration;
  if (nbytes > 0) {
    const held = holdBuffer(registration, registration.address, nbytes);
    if (held === false) {
      // The twins wait for room themselves (promise-deferred.ts), before a request exists.
      return failWith(EAGAIN);
    }
    if (request.heldRange !== held) request.heldRange = held;
    request.holdsBuffer = true;
  }
  return enqueueRequest(request, cb, op, SIGEV_NONE, null);
}
