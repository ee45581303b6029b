/**
 * The options the Promise twins take (promises.ts), and the fd forms they accept: shared by the
 * read/write twins (promise-transfer.ts) and fsync.
 */
import type { FileHandleLike } from '../engine/arguments.js';

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
export const NO_OPTIONS: AioTransferOptions = Object.freeze({});
