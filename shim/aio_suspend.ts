/** aio_suspend(3): glibc's rt/aio_suspend.c — block until one listed request has completed. */
import * as nativeExports from '../engine/native/index.js';
import * as aiocbExports from './aiocb.js';
import type { Aiocb } from './aiocb.js';
import * as contextExports from './context.js';
import * as errnoExports from './errno.js';
import * as signalsExports from './signals.js';
import * as requestExports from './request.js';
import * as requestsExports from './requests.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { EAGAIN, EINPROGRESS, EINTR, EINVAL } = nativeExports;
const { Aiocb: AiocbClass } = aiocbExports;
const { aioEngine } = contextExports;
const { failWith } = errnoExports;
const { drainSignals, signalInterruptFd } = signalsExports;
const { IDLE } = requestExports;
const { awaitingFallback } = requestsExports;

/** A C `struct timespec`: a relative timeout. */
export interface Timespec {
  /** Whole seconds: a non-negative integer. */
  readonly tv_sec: number;
  /** Nanoseconds: an integer from 0 to 999 999 999 (else the call fails with EINVAL). */
  readonly tv_nsec: number;
}

/** One list entry: an aiocb, or null/undefined (skipped). */
export type AiocbListEntry = Aiocb | null | undefined;

const NO_LIST: readonly AiocbListEntry[] = [];
let waitList = NO_LIST;
let waitCount = 0;

// One predicate for every call, reading the list through module state: no closure per call.
function anyCompleted(): boolean {
  for (let i = 0; i < waitCount; i++) {
    const cb = waitList[i];
    if (cb != null && (cb._request.state === IDLE || (cb._request.error !== EINPROGRESS && !awaitingFallback(cb._request)))) return true;
  }
  return false;
}

/** @internal isList - whether a caller passed an array (a plain boolean: no narrowing to any[]). */
export function isList(value: unknown): boolean {
  return Array.isArray(value);
}

/** @internal timeoutMs - a timespec as milliseconds; -1 when it is malformed. */
export function timeoutMs(timeout: Timespec): number {
  const { tv_sec: sec, tv_nsec: nsec } = timeout;
  if (!Number.isInteger(sec) || !Number.isInteger(nsec) || sec < 0 || nsec < 0 || nsec >= 1e9) return -1;
  return sec * 1000 + nsec / 1e6;
}

/**
 * aio_suspend - block the calling thread until at least one request in `list` has completed,
 * the timeout passes, or a received signal arrives. Cachemiss threads keep working meanwhile,
 * and completions are processed while waiting (the event loop itself is blocked, as a C caller
 * would be).
 *
 * Called as in C, `aio_suspend(list, nent, timeout)`, or as `aio_suspend(list, timeout)` for
 * the whole array. The timeout is relative and measured on CLOCK_MONOTONIC.
 *
 * @param list - aiocbs; null/undefined entries are ignored.
 * @param nent - how many entries of `list` to look at (optional).
 * @param timeout - `{ tv_sec, tv_nsec }`, or null/omitted to wait without limit.
 * @returns 0 as soon as one entry is no longer in progress (at once if one already is, or if
 *   the list has no aiocb); -1 with errno:
 *   - EAGAIN: the timeout passed first.
 *   - EINTR: a signal taken by receiveSignals() arrived (its handlers have run), as when a C
 *     handler interrupts the call — the completion signal of another request included.
 *   - EINVAL: nent < 0, a malformed timeout, or an entry that is not an Aiocb.
 * @example
 * ```ts
 * while (aio_error(cb) === EINPROGRESS) {
 *   if (aio_suspend([cb], { tv_sec: 5, tv_nsec: 0 }) === -1 && errno() === EAGAIN) console.log('still waiting');
 * }
 * ```
 * @see https://pubs.opengroup.org/onlinepubs/9799919799/functions/aio_suspend.html
 */
export function aio_suspend(list: readonly AiocbListEntry[], nent?: number | Timespec | null, timeout?: Timespec | null): number {
  if (!isList(list)) return failWith(EINVAL);
  let count = list.length;
  let limit: Timespec | null;
  if (typeof nent === 'number') {
    if (!Number.isInteger(nent) || nent < 0) return failWith(EINVAL);
    count = Math.min(nent, count);
    limit = timeout ?? null;
  } else {
    limit = nent ?? null;
  }
  let ms: number | null = null;
  if (limit !== null) {
    ms = timeoutMs(limit);
    if (ms < 0) return failWith(EINVAL);
  }
  // Process finished chains first: it may start queued requests, as glibc's helpers would have.
  const engine = aioEngine();
  engine.pump();
  let waiting = false;
  for (let i = 0; i < count; i++) {
    const cb = list[i];
    if (cb == null) continue;
    if (!(cb instanceof AiocbClass)) return failWith(EINVAL);
    // Done (its status final, even if the JS side has not seen the chain end yet), or never
    // queued: glibc returns at once for "not EINPROGRESS or not queued".
    if (cb._request.state === IDLE || (cb._request.error !== EINPROGRESS && !awaitingFallback(cb._request))) return 0;
    waiting = true;
  }
  if (!waiting) return 0;
  waitList = list;
  waitCount = count;
  let result: number;
  try {
    result = engine.waitUntil(anyCompleted, ms, signalInterruptFd());
  } finally {
    waitList = NO_LIST;
    waitCount = 0;
  }
  if (result === 0) return 0;
  if (result === -EINTR) {
    drainSignals();
    return failWith(EINTR);
  }
  return failWith(EAGAIN);
}

/** aio_suspend64 - the LFS name; on x86-64 the same function. */
export const aio_suspend64 = aio_suspend;
