/**
 * The errors the Promise twins (promises.ts) reject with, told as Node.js tells a failed `fs`
 * call: AioError for a failed request, AioCanceledError for one a C-style aio_cancel() took out
 * of its queue. An AbortSignal's abort rejects with engine/errors.ts's AbortError instead.
 */
import { ECANCELED } from '../engine/native/index.js';
import { SyscallError } from '../engine/errors.js';

/**
 * AioError - a failed asynchronous I/O, told as Node.js tells a failed `fs` call (a
 * {@link SyscallError}): `errno` negative (`-9`), `errnum` positive (`9`), `code` (`'EBADF'`),
 * `syscall` the POSIX call the twin stands for (`'aio_read'`, `'aio_write'`, `'aio_fsync'`,
 * `'aio_suspend'`, `'lio_listio'`), and the message `EBADF: bad file descriptor, aio_read`.
 *
 * @param errnoValue - the errno, either sign.
 * @param syscall - the POSIX call.
 * @example
 * ```ts
 * try { await aio.read(fd, buf, 0); }
 * catch (error) { if (isAioError(error) && error.code === 'EBADF') reopen(); else throw error; }
 * ```
 */
export class AioError extends SyscallError {
  override name = 'AioError';

  constructor(errnoValue: number, syscall: string, options?: ErrorOptions) {
    super(errnoValue, syscall, undefined, undefined, options);
  }
}

/**
 * AioCanceledError - the request was cancelled by `aio_cancel()` (the C call, on the fd or the
 * aiocb) while it waited in its fd's queue: `code` `'ECANCELED'`, `errno` -125, as `aio_error`
 * reports it. An AbortSignal does not give this error: it rejects with an `AbortError`, as Node.js
 * does.
 *
 * @param syscall - the POSIX call whose request was cancelled (`'aio_read'`...).
 * @example
 * ```ts
 * const pending = aio.read(pipeFd, buf, null);
 * aio_cancel(pipeFd, null);
 * try { await pending; } catch (error) { if (!(error instanceof AioCanceledError)) throw error; }
 * ```
 */
export class AioCanceledError extends AioError {
  override name = 'AioCanceledError';

  constructor(syscall: string, options?: ErrorOptions) {
    super(ECANCELED, syscall, options);
  }
}

/** isAioError - whether `value` is an AioError (also across realms, by name and shape). */
export function isAioError(value: unknown): value is AioError {
  return value instanceof AioError || (value instanceof Error && (value.name === 'AioError' || value.name === 'AioCanceledError') && typeof (value as AioError).errno === 'number');
}
