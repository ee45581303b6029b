/**
 * Waiting for a request's end to reach the JS thread (split from requests.ts): a status a cachemiss
 * thread has made final (aio_status ran there) is reported a moment later, and aio_error,
 * aio_suspend and a reused aiocb must not act in between.
 */
import * as nativeExports from '../engine/native/index.js';
import * as contextExports from './context.js';
import * as constantsExports from './constants.js';
import * as typesExports from './types.js';
import * as requestExports from './request.js';
import type { Request } from './request.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { EINPROGRESS, ESPIPE } = nativeExports;
const { aioEngine } = contextExports;
const { SIGEV_SIGNAL } = constantsExports;
const { OP_WRITE } = typesExports;
const { IDLE, RUNNING } = requestExports;

/** How long settle() waits for a chain whose aio_status has run to be reported. */
const SETTLE_LIMIT_MS = 1000;

/**
 * @internal settle - a request whose status is already final (aio_status ran on a cachemiss
 * thread) may not have been reported to the JS thread yet: wait the few microseconds until it
 * is, so that a caller who saw aio_error() != EINPROGRESS can reuse the aiocb at once.
 * @returns true when the request is idle now; false when it is really still in progress.
 */
export function settle(request: Request): boolean {
  if (request.state === IDLE) return true;
  if (request.state !== RUNNING && !request.linked) return false;
  // aio_status writes the aiocb's __error_code, and only then does the executor store the atom's
  // result in its cell (what statusPublished reads): a caller who saw the final status in aio_error
  // can get here in between — a window of a few instructions, unless that thread is preempted
  // there, as on a loaded machine (CI run 21: aio_write gave -1/EINVAL in the middle of a QD64
  // loop). Either sign of a final status counts; a status the program wrote itself into a request
  // still in flight costs the bound below, then EINVAL.
  if (!request.statusPublished() && request.error === EINPROGRESS) return false;
  // The chain ends right after aio_status (at most notify.signal follows): the bound only keeps a
  // thread stalled there from stalling the JS thread with it.
  aioEngine().waitUntil(() => !request.busy, SETTLE_LIMIT_MS);
  return !request.busy;
}

/**
 * @internal awaitingFallback - whether a request's status shows an ESPIPE that is not final: its
 * positional chain met a pipe or socket on a cachemiss thread (the fd number was reused while it
 * waited) and published ESPIPE, and the JS thread, which runs it again as a stream request
 * (chainEnded), has not seen it end yet. aio_error and aio_suspend must not report it as done.
 */
export function awaitingFallback(request: Request): boolean {
  return request.state === RUNNING && request.error === ESPIPE && !request.stream && request.op <= OP_WRITE && request.notify !== SIGEV_SIGNAL;
}

/** @internal settleFallback - let the JS thread see the chain end (bounded), so that its ESPIPE becomes the stream re-run's status. */
export function settleFallback(request: Request): void {
  aioEngine().waitUntil(() => !awaitingFallback(request), SETTLE_LIMIT_MS);
}
