/**
 * Requests whose buffer found the engine's region table full: they wait in their fd's line,
 * without their buffer, until a completion has made room (requests.ts drains them).
 */
import * as heldRangesExports from './held-ranges.js';
import * as contextExports from './context.js';
import type { FdState, Request } from './request.js';

// As requests.ts: imported bindings as this module's own consts (TurboFan folds them).
const { holdBuffer } = heldRangesExports;
const { aioEngine } = contextExports;

/**
 * @internal fds whose FIFO's head waits for room in the engine's region table: its aiocb's buffer could not
 * be registered when it was submitted. glibc queues every request it is given; here a request
 * whose buffer finds the table full (about 4,070 Buffers of their own in flight) while others are
 * in flight is queued in its fd's line without its buffer, and takes it when a completion has
 * made room (an idle range can then be let go: held-ranges.ts). Ordering is its fd's line's, so an
 * aio_fsync after it waits for it, and aio_cancel takes it out as any queued request.
 */
export const fdsWaitingForRoom = new Set<FdState>();

/**
 * @internal waitsForRoom - a request whose buffer found no room: queue it without its buffer when
 * requests in flight will make some (their completions retry it), else refuse it (nothing would).
 * @returns whether it waits.
 */
export function waitsForRoom(request: Request): boolean {
  if (aioEngine().inflight === 0) return false;
  request.needsHold = true;
  request.holdsBuffer = false;
  return true;
}

/** @internal holdNow - hold a waiting request's buffer now (drain, before it starts). @returns whether there was room. */
export function holdNow(request: Request): boolean {
  const registration = request.buffer;
  if (registration === null) {
    request.needsHold = false;
    return true;
  }
  const held = holdBuffer(registration, request.buf, Number(request.nbytes));
  if (held === false) return false;
  request.needsHold = false;
  if (request.heldRange !== held) request.heldRange = held;
  request.holdsBuffer = true;
  return true;
}
