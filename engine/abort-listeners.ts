/**
 * One 'abort' listener per AbortSignal for all of the library's calls waiting on it.
 *
 * A call with a signal listens for its abort while it is in flight. Each call adding its own
 * listener made 20 concurrent readFile calls sharing one signal print Node's
 * `MaxListenersExceededWarning: Possible EventTarget memory leak detected. 11 abort listeners
 * added to [AbortSignal]` (hunt22, session 22), where node:fs/promises adds none (it looks at
 * `signal.aborted` between its steps). Here the first call on a signal adds the one listener, the
 * others join a set, and the listener goes when the set is empty again.
 */

/** The calls waiting on a signal, and the one listener that calls them. */
interface Waiting {
  readonly callbacks: Set<() => void>;
  readonly dispatch: () => void;
}

/** By signal (a WeakMap: a signal nobody holds goes with its entry). */
const waiting = new WeakMap<AbortSignal, Waiting>();

/**
 * onAbort - call `callback` once when `signal` aborts, until {@link offAbort} takes it back.
 *
 * @param signal - the caller's signal (not aborted yet: the caller checks first).
 * @param callback - a function not already waiting on this signal.
 * @example
 * ```ts
 * onAbort(signal, reject);
 * try { await work; } finally { offAbort(signal, reject); }
 * ```
 */
export function onAbort(signal: AbortSignal, callback: () => void): void {
  let entry = waiting.get(signal);
  if (entry === undefined) {
    const callbacks = new Set<() => void>();
    const dispatch = (): void => {
      // (Only its own entry: a listener a throwing removeEventListener left behind, see offAbort,
      // must not take a later call's entry for the same signal.)
      if (waiting.get(signal) === created) waiting.delete(signal);
      // (A callback may take another one back: each runs from a copy, once.)
      for (const each of [...callbacks]) each();
      callbacks.clear();
    };
    const created: Waiting = { callbacks, dispatch };
    entry = created;
    waiting.set(signal, entry);
    signal.addEventListener('abort', dispatch, { once: true });
  }
  entry.callbacks.add(callback);
}

/**
 * offAbort - `callback` no longer waits on `signal` (its call ended); nothing if it did not.
 * Never throws: it runs when a call ends, often from a completion the event loop delivers, where
 * an exception of the signal's own removeEventListener (a subclass's, a polyfill's) ended the
 * process as an uncaught exception (hunt28). Such a listener stays on the signal, with nothing
 * left for it to call.
 */
export function offAbort(signal: AbortSignal, callback: () => void): void {
  const entry = waiting.get(signal);
  if (entry === undefined || !entry.callbacks.delete(callback) || entry.callbacks.size !== 0) return;
  waiting.delete(signal);
  try {
    signal.removeEventListener('abort', entry.dispatch);
  } catch {
    // (See above: the call's outcome stands.)
  }
}
