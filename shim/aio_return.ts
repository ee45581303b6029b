/** aio_return(3): glibc's rt/aio_return.c — read `__return_value`. */
import * as nativeExports from '../engine/native/index.js';
import * as aiocbExports from './aiocb.js';
import type { Aiocb } from './aiocb.js';
import * as errnoExports from './errno.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { EINVAL } = nativeExports;
const { Aiocb: AiocbClass } = aiocbExports;
const { failWith } = errnoExports;

/**
 * aio_return - the final result of a completed request: what read/write/fsync returned.
 *
 * As in glibc it may be called any number of times and always gives the same value (POSIX
 * allows "exactly once" enforcement; glibc does not enforce it, nor does this). Call it after
 * aio_error stopped returning EINPROGRESS; before, it gives 0 (the value enqueueing wrote).
 *
 * @param aiocbp - the control block.
 * @returns bytes transferred, 0 for fsync, -1 when the request failed (aio_error has the errno).
 *   -1 with errno EINVAL when aiocbp is not an Aiocb.
 * @example
 * ```ts
 * if (aio_error(cb) === 0) console.log(aio_return(cb), 'bytes');
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_return.html
 */
export function aio_return(aiocbp: Aiocb): number {
  if (!(aiocbp instanceof AiocbClass)) return failWith(EINVAL);
  return aiocbp._request.returned;
}

/** aio_return64 - the LFS name; on x86-64 the same function. */
export const aio_return64 = aio_return;
