/**
 * The order of an fd's FIFO (split from requests.ts): where a request goes in it (aio_reqprio,
 * never ahead of a barrier or of one started), handing its serial head to the engine as
 * successors of the request in flight, and taking a queued request back out (aio_cancel).
 * Starting and completing requests — what moves the FIFO on — stays in requests.ts.
 */
import { aioEngine } from './context.js';
import { OP_FSYNC } from './types.js';
import { QUEUED, type FdState, type Request } from './request.js';
import { prepare } from './request-prepare.js';
import type { RequestFifo } from './request-fifo.js';

/**
 * insert - equal priorities FIFO, a lower aio_reqprio ahead of higher ones, never ahead of a
 * barrier nor of a request already started. A linked request (see linkQueued) it goes ahead of
 * is taken back from the engine first, and linked again behind it by drain; one that its
 * cachemiss thread has started stays ahead.
 */
export function insert(state: FdState, request: Request): void {
  const queue = state.queue;
  let at = queue.length;
  if (request.op < OP_FSYNC) {
    while (at > 0) {
      const before = queue.get(at - 1) as Request;
      if (before.op >= OP_FSYNC || before.reqprio <= request.reqprio) break;
      // Linked requests are a prefix of the queue: `before` is the last one linked.
      if (before.linked && !recall(before)) break;
      at--;
    }
  }
  queue.insertAt(at, request);
  request.state = QUEUED;
  request.tracked = state;
}

/**
 * linkQueued - hand the serial requests at the head of an fd's FIFO to the engine now, each as
 * the successor of the one before it (Engine.submitAfter), the first after the serial request
 * in flight: the cachemiss thread that ends one starts the next, as glibc's helper thread takes
 * its fd's next request. Without this a queued stream request started only when the JS thread
 * came back into the library or the event loop, and a program that blocks in read(2) for the
 * data of its own queued aio_write waited forever. Positional requests behind a serial one, and
 * anything behind them, still wait for the JS thread (they may run in parallel, which one link
 * cannot say).
 */
export function linkQueued(state: FdState): void {
  let predecessor = state.serial;
  if (predecessor === null || predecessor.token < 0 || state.running > 0) return;
  const engine = aioEngine();
  const queue = state.queue;
  // Resume after the requests already linked. Walking them from the head on every submission made
  // queueing n reads on one socket cost n²: 100,000 over 10 sockets took 18.9 s of CPU to submit.
  let at = linkedPrefix(queue);
  if (at > 0) predecessor = queue.get(at - 1) as Request;
  for (; at < queue.length; at++) {
    const request = queue.get(at) as Request;
    // Not one waiting for room: its buffer is not held yet (drain holds it before it starts).
    if (!request.serial || request.needsHold) return;
    const instance = prepare(request);
    // No room for its instance now: it stays queued, and drain starts (or refuses) it later.
    if (instance === null) return;
    if (engine.submitAfter(instance.first, request, predecessor.token) !== 0) return;
    request.token = engine.lastSubmit.token;
    request.linked = true;
    predecessor = request;
  }
}

/**
 * How many requests at the head of `queue` are linked. Linked requests are a prefix of an fd's
 * FIFO: they are linked only in order behind the serial request in flight, insert unlinks from the
 * prefix's end before putting a request ahead of them, and drain and aio_cancel take them from the
 * head. So a binary search finds the prefix's end.
 */
function linkedPrefix(queue: RequestFifo<Request>): number {
  let low = 0;
  let high = queue.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((queue.get(middle) as Request).linked) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * @internal recall - a queued request is about to leave its fd's FIFO without running (aio_cancel):
 * take it back from the engine if it was linked there.
 * @returns false when it cannot be: the request before it has ended and it runs now.
 */
export function recall(request: Request): boolean {
  if (!request.linked) return true;
  if (!aioEngine().withdraw(request.token, request)) return false;
  request.linked = false;
  request.token = -1;
  return true;
}

/**
 * @internal unqueue - take a queued request out of its fd's FIFO (aio_cancel).
 * @returns the fd state it was in, to drain afterwards, or null when it was not queued.
 */
export function unqueue(request: Request): FdState | null {
  const state = request.tracked;
  if (request.state !== QUEUED || state === null || !recall(request)) return null;
  state.queue.removeAt(state.queue.indexOf(request));
  request.tracked = null;
  return state;
}
