/**
 * The Promise twins of the POSIX calls: the same request engine and canned chains, settled on
 * completion instead of polled. Errors follow Node.js: a failed request rejects with an AioError
 * (errno negative, code, syscall 'aio_read'..., Node's message); an AbortSignal rejects with an
 * AbortError (code 'ABORT_ERR', the reason as cause), as `fs.promises` does; a request cancelled
 * by a C-style aio_cancel() rejects with AioCanceledError (ECANCELED), the errno aio_error gives.
 * Control blocks are pooled, so a read costs one Promise and one small waiter object; one that
 * completes inline, only the already-settled Promise.
 *
 * This module is the API's face (fsync, the `aio` namespace); read/write are promise-transfer.ts,
 * suspend/listio promise-lists.ts, the waiter promise-waiter.ts.
 */
import { O_SYNC } from './constants.js';
import { aio_fsync } from './aio_fsync.js';
import { errno } from './errno.js';
import { giveAiocb, takeAiocb } from './promise-pool.js';
import { Pending } from './promise-waiter.js';
import { NO_OPTIONS, type AioOptions, type FdLike } from './promise-options.js';
import { read, write } from './promise-transfer.js';
import { listio, suspend } from './promise-lists.js';
import { abortError } from '../engine/errors.js';
import { AioError } from './aio-errors.js';
import { fdOf, optionsOf, signalOf } from '../engine/arguments.js';

export { AioCanceledError, AioError, isAioError } from './aio-errors.js';
export type { AioOptions, AioTransferOptions, FdLike } from './promise-options.js';
export { read, write } from './promise-transfer.js';
export { listio, suspend, type ListioResult, type SuspendOptions } from './promise-lists.js';

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
