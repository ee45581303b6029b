/**
 * Calls of the Promise twins (`aio.read`, `aio.write`) that found no room in the engine — its
 * region table full of buffers in flight, or no slab for another plugin instance: EAGAIN — while
 * requests were in flight. They wait here, in call order, and are submitted again as requests
 * complete, as libuv queues fs calls beyond its pool instead of failing them: `Promise.all` over
 * 20,000 reads into 20,000 fresh Buffers of a cold file rejected 15,800 of them with EAGAIN (the
 * table holds about 4,070 distinct buffers in flight), where node:fs reads them all.
 *
 * Once one call waits, every later call waits behind it (so calls at the file position keep
 * their order). A call refused when nothing is in flight is rejected at once: nothing would free
 * room for it. Memory: one small record per waiting call, which holds what the caller already
 * holds (its buffer). An AbortSignal takes a waiting call out (AbortError).
 */
import { AioError } from './aio-errors.js';
import { abortError } from '../engine/errors.js';
import { EAGAIN } from '../engine/native/index.js';
import { aioEngine } from './context.js';
import { completionHooks } from './requests.js';

/**
 * One attempt at a call: its Promise when it was submitted (or failed for another reason), or
 * null when it was refused for want of room (EAGAIN) and may be tried again later.
 */
export type Attempt = () => Promise<number> | null;

interface Waiting {
  readonly attempt: Attempt;
  readonly syscall: string;
  readonly resolve: (value: Promise<number>) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly abort: () => void;
  /** Settled: submitted, or aborted while waiting (then skipped). */
  done: boolean;
}

let waiting: Waiting[] = [];
let head = 0;
let pumpScheduled = false;

/** hasWaitingCalls - whether an earlier call waits for room (a new call then waits behind it). */
export function hasWaitingCalls(): boolean {
  while (head < waiting.length && (waiting[head] as Waiting).done) head++;
  if (head < waiting.length) return true;
  if (waiting.length > 0) reset();
  return false;
}

function reset(): void {
  waiting = [];
  head = 0;
  completionHooks.delete(schedulePump);
}

/**
 * waitForRoom - make `attempt` again once requests in flight have completed, in call order.
 *
 * @param attempt - the call's submission (see {@link Attempt}).
 * @param syscall - for the AioError EAGAIN when nothing is left in flight to make room.
 * @param signal - the call's AbortSignal: aborting takes it out with an AbortError.
 * @returns the call's Promise.
 */
export function waitForRoom(attempt: Attempt, syscall: string, signal: AbortSignal | undefined): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const entry: Waiting = {
      attempt,
      syscall,
      resolve,
      reject,
      signal,
      done: false,
      abort: () => {
        if (entry.done) return;
        entry.done = true;
        reject(abortError(signal as AbortSignal));
      },
    };
    if (waiting.length === 0) completionHooks.add(schedulePump);
    waiting.push(entry);
    signal?.addEventListener('abort', entry.abort, { once: true });
  });
}

// A completion is delivered inside the request engine; the waiting calls are submitted after it,
// from a microtask, so that no submission runs inside another's completion.
function schedulePump(): void {
  if (pumpScheduled) return;
  pumpScheduled = true;
  queueMicrotask(pump);
}

function pump(): void {
  pumpScheduled = false;
  while (head < waiting.length) {
    const entry = waiting[head] as Waiting;
    if (entry.done) {
      head++;
      continue;
    }
    const submitted = entry.attempt();
    if (submitted === null) {
      // Still no room: wait for the next completion, unless none will come.
      if (aioEngine().inflight > 0) return;
      entry.done = true;
      head++;
      entry.signal?.removeEventListener('abort', entry.abort);
      entry.reject(new AioError(EAGAIN, entry.syscall));
      continue;
    }
    entry.done = true;
    head++;
    entry.signal?.removeEventListener('abort', entry.abort);
    entry.resolve(submitted);
  }
  reset();
}
