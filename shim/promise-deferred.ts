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
import { RequestFifo } from './request-fifo.js';

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

// The calls in call order; ones aborted while they wait stay until they reach the head.
const waiting = new RequestFifo<Waiting>();
/** Whether schedulePump is among the request engine's completion hooks (while calls wait). */
let hooked = false;
let pumpScheduled = false;

/** hasWaitingCalls - whether an earlier call waits for room (a new call then waits behind it). */
export function hasWaitingCalls(): boolean {
  if (!hooked) return false;
  while (waiting.length > 0 && (waiting.get(0) as Waiting).done) waiting.shift();
  if (waiting.length > 0) return true;
  unhook();
  return false;
}

function unhook(): void {
  hooked = false;
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
    if (!hooked) {
      hooked = true;
      completionHooks.add(schedulePump);
    }
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
  while (waiting.length > 0) {
    const entry = waiting.get(0) as Waiting;
    if (entry.done) {
      waiting.shift();
      continue;
    }
    const submitted = entry.attempt();
    // Still no room: wait for the next completion, unless none will come.
    if (submitted === null && aioEngine().inflight > 0) return;
    entry.done = true;
    waiting.shift();
    entry.signal?.removeEventListener('abort', entry.abort);
    if (submitted === null) entry.reject(new AioError(EAGAIN, entry.syscall));
    else entry.resolve(submitted);
  }
  unhook();
}
