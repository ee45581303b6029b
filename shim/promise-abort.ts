/**
 * What an AbortSignal does to a Promise twin's request that is already running (promises.ts
 * wires it): the POSIX aio_cancel() leaves a running request alone (AIO_NOTCANCELED, glibc's
 * semantics), so the twin cancels the request's chain itself (Engine.cancelChain). On the
 * io_uring engine that is an IORING_OP_ASYNC_CANCEL of the request's SQE, by its user_data; on a
 * cachemiss thread (either engine: stream and serial requests never go to the ring) it is the
 * pool's wake signal, which makes a blocked read(2) or write(2) return EINTR. Either way the
 * chain completes only once the kernel has finished the call — its CQE has arrived, or the
 * thread's syscall has returned — so the buffer is never written after the promise settles.
 *
 * The rule: the kernel's answer decides (Request.publishIfUnpublished, which closing the engine
 * goes through too). When the call finished before the cancellation reached it (bytes read or
 * written, or an errno of its own), the request ends with that answer as if no abort had come:
 * bytes taken from a pipe or a socket are never lost. Only a call that was cancelled
 * (-ECANCELED, delivered as -EINTR), interrupted (-EINTR) or never started ends with ECANCELED,
 * and the promise rejects with the AbortError.
 */
import { aioEngine } from './context.js';
import { IDLE, type Request } from './request.js';

/**
 * cancelRunning - cancel the chain of a request that aio_cancel() could not take out of its fd's
 * queue: it is in flight — in the io_uring ring, on a cachemiss thread, or linked behind another
 * request and already started. Its completion comes later, as for any chain; nothing to do for a
 * request that is not in flight.
 */
export function cancelRunning(request: Request): void {
  if (request.state === IDLE || request.token < 0) return;
  aioEngine().cancelChain(request.token, request);
}
