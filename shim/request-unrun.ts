/**
 * Requests that end without running a chain: cancelled while queued (aio_cancel), or a
 * lio_listio entry with a bad opcode. They are notified like any other (requests.ts complete).
 */
import * as wordsExports from '../engine/words.js';
import * as constantsExports from './constants.js';
import * as requestPrepareExports from './request-prepare.js';
import * as requestsExports from './requests.js';
import type { Request, AiocbSource } from './request.js';
import type { ListGroup } from './types.js';

const { readWord } = wordsExports;
const { AIOCB, SIGEVENT, SIGEV_THREAD } = constantsExports;
const { notifyKind } = requestPrepareExports;
const { complete } = requestsExports;

/**
 * @internal completeUnrun - end a request that never ran a chain (cancelled while queued, or a
 * lio_listio entry with a bad opcode) with status (`error`, -1); it is notified like any other.
 */
export function completeUnrun(request: Request, error: number): void {
  request.setStatus(error, -1);
  request.completion.mode = null;
  request.completion.latencyNs = NaN;
  const plugin = request.plugin;
  // Without plugin info, complete() sees no signal atom result and sends the signal itself.
  request.plugin = null;
  complete(request);
  // (complete() may have given the instance back: then the request has no plugin either.)
  if (request.instance !== null) request.plugin = plugin;
}

/**
 * @internal prepareUnrun - fill a request that will end without running (lio_listio's bad
 * opcode) from its aiocb's sigevent, so that completeUnrun notifies it.
 */
export function prepareUnrun(cb: AiocbSource, group: ListGroup | null): Request {
  const request = cb._request;
  const view = cb._view;
  const sigevent = cb._base + AIOCB.aio_sigevent;
  const notify = view.getInt32(sigevent + SIGEVENT.sigev_notify, true);
  request.owner = cb;
  request.group = group;
  request.tracked = null;
  request.fd = view.getInt32(cb._base + AIOCB.aio_fildes, true);
  request.signo = view.getInt32(sigevent + SIGEVENT.sigev_signo, true);
  request.value = readWord(view, sigevent + SIGEVENT.sigev_value);
  request.notify = notifyKind(request, notify);
  request.fn = request.notify === SIGEV_THREAD ? request.notifyFunction : null;
  return request;
}
