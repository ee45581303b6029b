/**
 * The Promise twins of the POSIX calls: the same request engine and canned chains, settled on
 * completion instead of polled. Errors follow Node.js: a failed request rejects with an AioError
 * (errno negative, code, syscall 'aio_read'..., Node's message); an AbortSignal rejects with an
 * AbortError (code 'ABORT_ERR', the reason as cause), as `fs.promises` does; a request cancelled
 * by a C-style aio_cancel() rejects with AioCanceledError (ECANCELED), the errno aio_error gives.
 * Control blocks are pooled, so a read costs one Promise and one small waiter object; one that
 * completes inline, only the already-settled Promise.
 */
import { EAGAIN, ECANCELED, EINVAL } from '../engine/native/index.js';
import { paced } from '../engine/event-loop-turns.js';
import { Aiocb } from './aiocb.js';
import { LIO_NOWAIT, O_SYNC, SIGEV_THREAD } from './constants.js';
import { aio_cancel } from './aio_cancel.js';
import { aio_fsync } from './aio_fsync.js';
import { timeoutMs, type AiocbListEntry, type Timespec } from './aio_suspend.js';
import { errno } from './errno.js';
import { lio_listio } from './lio_listio.js';
import { OP_READ, OP_WRITE } from './types.js';
import { IDLE, type Request, type RequestWaiter } from './request.js';
import { completionHooks } from './requests.js';
import { submitView } from './request-submit.js';
import { transferRegistrationOf, type BufferRegistration } from './buffers.js';
import { copyIntoBounceSlot, finishBounce, giveBounceSlot, type BounceSlot } from './bounce-slots.js';
import { cancelRunning } from './promise-abort.js';
import { hasWaitingCalls, waitForRoom } from './promise-deferred.js';
import { giveAiocb, takeAiocb } from './promise-pool.js';
import { aioEngine } from './context.js';
import { abortError, type AbortError } from '../engine/errors.js';
import { AioCanceledError, AioError } from './aio-errors.js';
import { fdOf, invalidArgType, optionsOf, positionOf, signalOf, type FileHandleLike } from '../engine/arguments.js';

export { AioCanceledError, AioError, isAioError } from './aio-errors.js';

/** Options of the read/write/fsync twins. */
export interface AioOptions {
  /**
   * Aborting cancels the request, queued or running (io_uring: IORING_OP_ASYNC_CANCEL; a cachemiss
   * thread: the call is interrupted); the promise rejects with an AbortError once the kernel is
   * done with the buffer — unless the call had already finished: then it settles with its result.
   */
  readonly signal?: AbortSignal;
  /** aio_reqprio, 0..20. */
  readonly reqprio?: number;
}

/**
 * Options of the read/write twins in their options-object form, `aio.read(fd, buffer, { position })`,
 * as Node's `filehandle.read(buffer, options)`.
 */
export interface AioTransferOptions extends AioOptions {
  /** Where to read or write: an offset, or `null`/`undefined`/-1 (the default) for the fd's current file position. */
  readonly position?: number | bigint | null;
}

/** An fd, or a `node:fs/promises` FileHandle (its `fd` is used; the handle stays yours to close). */
export type FdLike = number | FileHandleLike;

// The options of a call that passed none: shared, so that the hot path allocates no object.
const NO_OPTIONS: AioTransferOptions = Object.freeze({});

const noAbort = (): void => {};

class Pending implements RequestWaiter {
  /** Set when the signal aborted: an ECANCELED after it is the abort's, not an aio_cancel's. */
  aborted = false;

  constructor(
    readonly cb: Aiocb,
    readonly syscall: string,
    readonly resolve: (value: number) => void,
    readonly reject: (error: AioError | AbortError) => void,
    readonly signal: AbortSignal | undefined,
    /** The bounce slot the request's bytes go through (see transfer), or null. */
    readonly slot: BounceSlot | null = null,
    /** The caller's view a bounced read's bytes are copied into. */
    readonly view: ArrayBufferView | null = null,
  ) {
    // Only a request with a signal needs a listener: no closure per request without one.
    this.abort = signal === undefined ? noAbort : (): void => {
      this.aborted = true;
      aio_cancel(this.cb.aio_fildes, this.cb);
      // aio_cancel leaves a running request alone (AIO_NOTCANCELED, as glibc's): cancel its chain.
      cancelRunning(this.cb._request);
    };
  }

  /** The signal's 'abort' listener (a shared no-op without a signal). */
  readonly abort: () => void;

  requestDone(request: Request): void {
    this.signal?.removeEventListener('abort', this.abort);
    // A call the kernel finished before a cancellation reached it has its answer here, not
    // ECANCELED (Request.publishIfUnpublished).
    const error = request.error;
    const value = request.returned;
    giveAiocb(this.cb);
    const slot = this.slot;
    if (slot !== null) finishBounce(slot, this.view, error, value);
    if (error === 0) this.resolve(value);
    else if (error === ECANCELED) this.reject(this.aborted && this.signal !== undefined ? abortError(this.signal) : new AioCanceledError(this.syscall));
    else this.reject(new AioError(error, this.syscall));
  }
}

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
    // A view seen for the first time goes through a bounce slot (buffers.ts): its bytes are
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
  if (submitView(cb, op, registration, position ?? 0, reqprio ?? 0, position === null) !== 0) {
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

/**
 * fsync - aio_fsync as a Promise: resolves after every earlier request of `fd` and the sync.
 * @param fd - a descriptor, or a `node:fs/promises` FileHandle.
 * @param op - O_SYNC (default) or O_DSYNC.
 * @throws (rejects) AioError EINVAL (bad op), EBADF (bad fd, at once), or the sync's errno;
 *   AbortError; AioCanceledError; TypeError/RangeError naming `fd` or `options.signal`.
 * @example
 * ```ts
 * await aio.write(fd, data, 0);
 * await aio.fsync(fd);
 * ```
 */
export function fsync(fd: FdLike, op: number = O_SYNC, options: Omit<AioOptions, 'reqprio'> = NO_OPTIONS): Promise<void> {
  let descriptor: number;
  let signal: AbortSignal | undefined;
  try {
    descriptor = fdOf(fd, 'fd');
    signal = signalOf(optionsOf(options).signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  const cb = takeAiocb(null);
  cb.aio_fildes = descriptor;
  return new Promise((resolve, reject) => {
    const pending = new Pending(cb, 'aio_fsync', () => resolve(), reject, signal);
    cb._request.waiter = pending;
    signal?.addEventListener('abort', pending.abort, { once: true });
    if (aio_fsync(op, cb) !== 0) {
      cb._request.waiter = null;
      signal?.removeEventListener('abort', pending.abort);
      giveAiocb(cb);
      reject(new AioError(errno(), 'aio_fsync'));
    }
  });
}

/** Options of {@link suspend}. */
export interface SuspendOptions {
  /** Relative timeout (a C timespec or milliseconds); rejects with AioError EAGAIN when it passes. */
  readonly timeout?: Timespec | number;
  /** Aborting rejects with an AbortError (the requests themselves go on). */
  readonly signal?: AbortSignal;
}

// Array.isArray on a declared array narrows its entries to any; asked through unknown it does not.
function isArray(value: unknown): boolean {
  return Array.isArray(value);
}

/**
 * suspend - resolve when one aiocb of `list` has completed, without blocking the event loop.
 * @throws AioError EAGAIN on timeout, EINVAL for a malformed timeout or a non-Aiocb entry;
 *   AbortError when `signal` aborts; TypeError ERR_INVALID_ARG_TYPE for options that are not an
 *   object or a `signal` that is not an AbortSignal.
 * @example
 * ```ts
 * aio_read(a); aio_read(b);
 * await aio.suspend([a, b], { timeout: 1000 });
 * ```
 */
export function suspend(list: readonly AiocbListEntry[], options: SuspendOptions = {}): Promise<void> {
  if (!isArray(list)) return Promise.reject(invalidArgType('list', 'an instance of Array', list));
  let signal: AbortSignal | undefined;
  let timeout: Timespec | number | undefined;
  try {
    // A signal it cannot listen to was an uncoded TypeError here, then an uncaught one from the
    // completion hook that removed its listener.
    const given = optionsOf(options);
    timeout = given.timeout;
    signal = signalOf(given.signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  const ms = timeout === undefined ? null : typeof timeout === 'number' ? (Number.isFinite(timeout) && timeout >= 0 ? timeout : -1) : timeoutMs(timeout);
  if (ms !== null && ms < 0) return Promise.reject(new AioError(EINVAL, 'aio_suspend'));
  if (!list.every((cb) => cb == null || cb instanceof Aiocb)) return Promise.reject(new AioError(EINVAL, 'aio_suspend'));
  const done = (): boolean => list.length === 0 || list.every((cb) => cb == null) || list.some((cb) => cb != null && cb._request.state === IDLE);
  if (done()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined;
    const finish = (error: AioError | AbortError | null): void => {
      completionHooks.delete(hook);
      signal?.removeEventListener('abort', abort);
      if (timer !== undefined) clearTimeout(timer);
      if (error === null) resolve();
      else reject(error);
    };
    const hook = (): void => {
      if (done()) finish(null);
    };
    const abort = (): void => {
      if (signal !== undefined) finish(abortError(signal));
    };
    completionHooks.add(hook);
    signal?.addEventListener('abort', abort, { once: true });
    if (ms !== null) {
      // setTimeout takes at most 2^31-1 ms and fires after 1 ms beyond it (hunt25: a timeout of
      // 24.9 days rejected EAGAIN at once): wait the rest in steps of that length.
      const deadline = performance.now() + ms;
      const arm = (left: number): void => {
        timer = left > LONGEST_TIMER_MS ? setTimeout(() => arm(deadline - performance.now()), LONGEST_TIMER_MS) : setTimeout(() => finish(new AioError(EAGAIN, 'aio_suspend')), Math.max(0, left));
      };
      arm(ms);
    }
  });
}

/** The longest delay setTimeout takes (2^31-1 ms, about 24.8 days). */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/** One entry's outcome in {@link listio}. */
export interface ListioResult {
  /** The entry's control block. */
  readonly aiocb: Aiocb;
  /** 0, or the entry's errno. */
  readonly error: number;
  /** aio_return: bytes, or -1. */
  readonly result: number;
}

/**
 * listio - lio_listio(LIO_NOWAIT) as a Promise: resolves with every entry's outcome once all
 * have completed. Aborting cancels the entries still queued; the promise then rejects with
 * an AbortError after every entry has finished (their buffers are free again).
 * @throws AioError EINVAL/EAGAIN when an entry is refused at submission; AbortError; TypeError
 *   ERR_INVALID_ARG_TYPE for options that are not an object or a `signal` that is not an AbortSignal.
 * @example
 * ```ts
 * const results = await aio.listio([readA, writeB]);
 * ```
 */
export function listio(list: readonly AiocbListEntry[], options: { signal?: AbortSignal } = {}): Promise<ListioResult[]> {
  if (!isArray(list)) return Promise.reject(invalidArgType('list', 'an instance of Array', list));
  let signal: AbortSignal | undefined;
  try {
    // As suspend: a signal it cannot listen to must not reach the completion's removeEventListener.
    signal = signalOf(optionsOf(options).signal);
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
  }
  if (signal?.aborted === true) return Promise.reject(abortError(signal));
  const entries = list.filter((cb): cb is Aiocb => cb instanceof Aiocb && cb.aio_lio_opcode !== 2);
  return new Promise((resolve, reject) => {
    let aborted = false;
    const abort = (): void => {
      aborted = true;
      for (const cb of entries) if (cb._request.state !== IDLE) aio_cancel(cb.aio_fildes, cb);
    };
    const settle = (): void => {
      signal?.removeEventListener('abort', abort);
      if (aborted && signal !== undefined && entries.some((cb) => cb._request.error === ECANCELED)) reject(abortError(signal));
      else resolve(entries.map((cb) => ({ aiocb: cb, error: cb._request.error, result: cb._request.returned })));
    };
    signal?.addEventListener('abort', abort, { once: true });
    const submitted = lio_listio(LIO_NOWAIT, list, { sigev_notify: SIGEV_THREAD, sigev_notify_function: settle });
    if (submitted !== 0) {
      const error = errno();
      // Entries that were queued still run; the list notification settles nothing after this.
      signal?.removeEventListener('abort', abort);
      reject(new AioError(error, 'lio_listio'));
    }
  });
}

/** The Promise API as one namespace: `aio.read`, `aio.write`, `aio.fsync`, `aio.suspend`, `aio.listio`. */
export const aio = {
  /** aio_read as a Promise: see {@link read}. */
  read,
  /** aio_write as a Promise: see {@link write}. */
  write,
  /** aio_fsync as a Promise: see {@link fsync}. */
  fsync,
  /** aio_suspend without blocking: see {@link suspend}. */
  suspend,
  /** lio_listio(LIO_NOWAIT) as a Promise: see {@link listio}. */
  listio,
} as const;
