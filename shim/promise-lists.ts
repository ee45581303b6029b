/**
 * The Promise twins that take a list of aiocbs: suspend (aio_suspend without blocking the event
 * loop) and listio (lio_listio(LIO_NOWAIT), settled once every entry has completed).
 */
import { EAGAIN, ECANCELED, EINVAL } from '../engine/native/index.js';
import { Aiocb } from './aiocb.js';
import { LIO_NOWAIT, SIGEV_THREAD } from './constants.js';
import { aio_cancel } from './aio_cancel.js';
import { timeoutMs, type AiocbListEntry, type Timespec } from './aio_suspend.js';
import { errno } from './errno.js';
import { lio_listio } from './lio_listio.js';
import { IDLE } from './request.js';
import { completionHooks } from './requests.js';
import { abortError, type AbortError } from '../engine/errors.js';
import { AioError } from './aio-errors.js';
import { invalidArgType, optionsOf, signalOf } from '../engine/arguments.js';

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
