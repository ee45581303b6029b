/** aio_error(3): glibc's rt/aio_error.c — read `__error_code`. */
import * as nativeExports from '../engine/native/index.js';
import * as contextExports from './context.js';
import * as aiocbExports from './aiocb.js';
import type { Aiocb } from './aiocb.js';
import * as errnoExports from './errno.js';
import * as requestsExports from './requests.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { EINPROGRESS, EINVAL } = nativeExports;
const { aioEngine } = contextExports;
const { Aiocb: AiocbClass } = aiocbExports;
const { failWith } = errnoExports;
const { awaitingFallback, settleFallback } = requestsExports;

/**
 * aio_error - the status of a request.
 *
 * The chain's aio_status atom writes `__error_code` last, after `__return_value`, so once this
 * is no longer EINPROGRESS, aio_return is final too. Like glibc, an aiocb never submitted
 * reports whatever the field holds (0 for a new Aiocb), not EINVAL.
 *
 * @param aiocbp - the control block.
 * @returns EINPROGRESS while queued or running; 0 on success; else the errno the synchronous
 *   call would have set (EBADF, EINVAL, EIO, ECANCELED for a cancelled request...). -1 with
 *   errno EINVAL when aiocbp is not an Aiocb.
 * @example
 * ```ts
 * while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_error.html
 */
export function aio_error(aiocbp: Aiocb): number {
  if (!(aiocbp instanceof AiocbClass)) return failWith(EINVAL);
  const request = aiocbp._request;
  let status = request.error;
  if (status === EINPROGRESS) {
    // glibc's helper threads move an fd's queue on by themselves; here the JS thread does, when
    // it processes finished chains. A caller polling aio_error in a loop must see progress too.
    aioEngine().pump();
    status = request.error;
  }
  // The pump may have started a queued request whose positional chain has already published
  // ESPIPE on its thread (its fd number was a file's earlier): that is not its end either.
  if (status === EINPROGRESS || !awaitingFallback(request)) return status;
  settleFallback(request);
  return request.error;
}

/** aio_error64 - the LFS name; on x86-64 the same function. */
export const aio_error64 = aio_error;
