/**
 * The waiter of a Promise twin's request (read, write, fsync) that did not complete inside its
 * submission: on completion it gives the pooled aiocb back, finishes a bounced read's copy, and
 * settles the Promise as Node's fs.promises would (AioError, AbortError, AioCanceledError).
 */
import { ECANCELED } from '../engine/native/index.js';
import { abortError, type AbortError } from '../engine/errors.js';
import type { Aiocb } from './aiocb.js';
import { aio_cancel } from './aio_cancel.js';
import type { Request, RequestWaiter } from './request.js';
import { finishBounce, type BounceSlot } from './bounce-slots.js';
import { cancelRunning } from './promise-abort.js';
import { giveAiocb } from './promise-pool.js';
import { AioCanceledError, AioError } from './aio-errors.js';

const noAbort = (): void => {};

/** @internal A pending Promise twin request: settles its Promise when the request completes. */
export class Pending implements RequestWaiter {
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
