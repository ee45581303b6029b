/**
 * The read/write Promise twins: their arguments checked as Node checks fs.read's, one pooled
 * aiocb per request, submitted straight with the view's registration (or a bounce slot), and a
 * Promise settled at once when the page cache answered inside the submission.
 */
import { EAGAIN, ECANCELED } from '../engine/native/index.js';
import { paced } from '../engine/event-loop-turns.js';
import type { Aiocb } from './aiocb.js';
import { errno } from './errno.js';
import { OP_READ, OP_WRITE } from './types.js';
import type { Request, RequestWaiter } from './request.js';
import { submitView } from './request-submit.js';
import { transferRegistrationOf, type BufferRegistration } from './view-registrations.js';
import { copyIntoBounceSlot, finishBounce, giveBounceSlot, type BounceSlot } from './bounce-slots.js';
import { hasWaitingCalls, waitForRoom } from './promise-deferred.js';
import { giveAiocb, takeAiocb } from './promise-pool.js';
import { Pending } from './promise-waiter.js';
import { NO_OPTIONS, type AioOptions, type AioTransferOptions, type FdLike } from './promise-options.js';
import { aioEngine } from './context.js';
import { abortError } from '../engine/errors.js';
import { AioCanceledError, AioError } from './aio-errors.js';
import { fdOf, invalidArgType, optionsOf, positionOf, signalOf } from '../engine/arguments.js';

/**
 * The arguments of read/write in either form, checked as Node checks fs.read's: (fd, buffer,
 * position, options) or (fd, buffer, options with position).
 */
function transfer(op: number, fdArg: unknown, buffer: unknown, positionArg: unknown, optionsArg: unknown): Promise<number> {
  const syscall = op === OP_READ ? 'aio_read' : 'aio_write';
  let fd: number;
  let position: number | bigint | null;
  let options: AioTransferOptions;
  let signal: AbortSignal | undefined;
  try {
    fd = fdOf(fdArg, 'fd');
    if (!ArrayBuffer.isView(buffer)) throw invalidArgType('buffer', 'an instance of Buffer, TypedArray, or DataView', buffer);
    if (typeof positionArg === 'object' && positionArg !== null && optionsArg === undefined) {
      options = positionArg;
      position = positionOf(options.position, 'options.position');
    } else {
      position = positionOf(positionArg, 'position');
      options = optionsArg === undefined ? NO_OPTIONS : optionsOf(optionsArg);
    }
    signal = signalOf(options.signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  const reqprio = options.reqprio;
  // Behind calls that wait for room, in call order (promise-deferred.ts).
  if (!hasWaitingCalls()) {
    const submitted = submitTransfer(op, syscall, fd, buffer, position, reqprio, signal);
    if (submitted !== null) return submitted;
    // No room now (EAGAIN): wait for requests in flight to make some, or fail when there are none.
    if (aioEngine().inflight === 0) return Promise.reject(new AioError(EAGAIN, syscall));
  }
  return transferWhenThereIsRoom(op, syscall, fd, buffer, position, reqprio, signal);
}

// Its own function, so that transfer() captures nothing: a closure there would make V8 allocate
// its variables in a context on every call, the ones submitted at once included.
function transferWhenThereIsRoom(op: number, syscall: string, fd: number, buffer: ArrayBufferView, position: number | bigint | null, reqprio: number | undefined, signal: AbortSignal | undefined): Promise<number> {
  return waitForRoom(() => submitTransfer(op, syscall, fd, buffer, position, reqprio, signal), syscall, signal);
}

/**
 * One submission of a checked read or write.
 * @returns its Promise; or null when the engine had no room for it (EAGAIN), to be tried again.
 */
function submitTransfer(op: number, syscall: string, fd: number, buffer: ArrayBufferView, position: number | bigint | null, reqprio: number | undefined, signal: AbortSignal | undefined): Promise<number> | null {
  let cb: Aiocb;
  let registration: BufferRegistration;
  let slot: BounceSlot | null = null;
  try {
    if (reqprio !== undefined && !(Number.isInteger(reqprio) && reqprio >= -0x8000_0000 && reqprio <= 0x7fff_ffff)) throw new TypeError(`aio_reqprio must be a 32-bit integer, got ${String(reqprio)}`);
    // A view seen for the first time goes through a bounce slot (view-registrations.ts): its bytes are
    // copied, not registered. Otherwise the view's registration (its address and its length now)
    // goes to the request directly, without the aiocb's aio_buf/aio_nbytes/aio_offset/aio_reqprio
    // (see submitView): nothing reads a pooled aiocb's struct but aio_cancel, which reads aio_fildes.
    registration = transferRegistrationOf(buffer);
    slot = registration.slot;
    if (slot !== null && op === OP_WRITE) copyIntoBounceSlot(slot, buffer);
    cb = takeAiocb(registration);
    // A pooled aiocb that served this fd last needs no store (the setter's checks were ~80
    // instructions). Compared with the struct itself, which the request reads: its record's copy
    // (Request.fd) started at -1 where a new struct said 0, and a twin's first request on fd -1
    // then read stdin (session 28).
    if (cb.aio_fildes !== fd) cb.aio_fildes = fd;
  } catch (error) {
    if (slot !== null) giveBounceSlot(slot);
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  const request = cb._request;
  // Submitted before any Promise exists: a read the page cache serves completes inside
  // submitView, and then needs no waiter, no abort listener and no executor closure — only an
  // already-settled Promise (the same settlement the waiter would have made at once). The
  // sentinel shows whether complete() ran: it clears the waiter it calls. Nothing can complete
  // or abort the request between submitView's return and the waiter below: completions and
  // abort events are delivered by this thread, later.
  request.waiter = INLINE;
  if (submitView(cb, op, fd, registration, position ?? 0, reqprio ?? 0, position === null) !== 0) {
    request.waiter = null;
    giveAiocb(cb);
    if (slot !== null) giveBounceSlot(slot);
    const error = errno();
    return error === EAGAIN ? null : Promise.reject(new AioError(error, syscall));
  }
  if (request.waiter === null) return settledInline(cb, request, syscall, slot, buffer);
  return new Promise((resolve, reject) => {
    const pending = new Pending(cb, syscall, resolve, reject, signal, slot, op === OP_READ ? buffer : null);
    request.waiter = pending;
    signal?.addEventListener('abort', pending.abort, { once: true });
  });
}

/** The waiter of a request while it is being submitted (see transfer): its completion is read afterwards. */
const INLINE: RequestWaiter = { requestDone: () => {} };

/** What {@link Pending.requestDone} settles, for a request that completed inside its submission (no signal can have aborted it). */
function settledInline(cb: Aiocb, request: Request, syscall: string, slot: BounceSlot | null, view: ArrayBufferView): Promise<number> {
  const error = request.error;
  const value = request.returned;
  giveAiocb(cb);
  if (slot !== null) finishBounce(slot, request.op === OP_READ ? view : null, error, value);
  if (error === 0) return Promise.resolve(value);
  return Promise.reject(error === ECANCELED ? new AioCanceledError(syscall) : new AioError(error, syscall));
}

/**
 * read - read up to `buffer.byteLength` bytes of `fd` (aio_read as a Promise), at `position`, or
 * at the fd's current file position when `position` is `null` (as Node's `fs.read`: the position
 * advances; such reads on one fd run one after the other, in call order).
 *
 * Also `read(fd, buffer, { position, signal, reqprio })`, as Node's `filehandle.read(buffer,
 * options)`; there `position` defaults to the current file position.
 *
 * @param fd - a descriptor, or a `node:fs/promises` FileHandle.
 * @param buffer - a Buffer, TypedArray or DataView; its whole length is asked for.
 * @param position - a byte offset (a number up to 2^53 - 1, or a bigint), or `null` / -1 for the
 *   current file position.
 * @returns the number of bytes read (0 at end of file).
 * @throws (rejects) AioError with the errno (EBADF, EINVAL, ESPIPE...); AbortError when `signal`
 *   aborts it before its call finished (see AioOptions.signal); AioCanceledError when `aio_cancel()` cancels it; TypeError
 *   ERR_INVALID_ARG_TYPE / RangeError ERR_OUT_OF_RANGE naming the argument (fd, buffer, position,
 *   options.signal) that is not what Node's fs.read would take.
 * @example
 * ```ts
 * const n = await aio.read(fd, Buffer.alloc(4096), 0);
 * const next = await aio.read(fd, Buffer.alloc(4096), null); // where the fd's position is
 * ```
 */
export function read(fd: FdLike, buffer: ArrayBufferView, position: number | bigint | null, options?: AioOptions): Promise<number>;
export function read(fd: FdLike, buffer: ArrayBufferView, options?: AioTransferOptions): Promise<number>;
export function read(fd: FdLike, buffer: ArrayBufferView, position?: number | bigint | null | AioTransferOptions, options?: AioOptions): Promise<number> {
  return paced(transfer(OP_READ, fd, buffer, position, options));
}

/**
 * write - write `buffer` to `fd` (aio_write as a Promise) at `position`, or at the fd's current
 * file position when `position` is `null` (it advances; O_APPEND fds append either way). The
 * same forms and argument rules as {@link read}.
 *
 * @returns the number of bytes written.
 * @throws (rejects) AioError (EBADF, ENOSPC, EINVAL...), AbortError, AioCanceledError,
 *   TypeError/RangeError as {@link read}.
 * @example
 * ```ts
 * await aio.write(fd, Buffer.from('hello\n'), null); // at the fd's position, like fs.write
 * ```
 */
export function write(fd: FdLike, buffer: ArrayBufferView, position: number | bigint | null, options?: AioOptions): Promise<number>;
export function write(fd: FdLike, buffer: ArrayBufferView, options?: AioTransferOptions): Promise<number>;
export function write(fd: FdLike, buffer: ArrayBufferView, position?: number | bigint | null | AioTransferOptions, options?: AioOptions): Promise<number> {
  return paced(transfer(OP_WRITE, fd, buffer, position, options));
}
