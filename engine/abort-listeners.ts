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

/** The calls waiting on each signal (a WeakMap: a signal nobody holds goes with its set). */
const waiting = new WeakMap<AbortSignal, Set<() => void>>();

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
  let callbacks = waiting.get(signal);
  if (callbacks === undefined) {
    const set = (callbacks = new Set());
    waiting.set(signal, set);
    const dispatch = (): void => {
      waiting.delete(signal);
      // (A callback may take another one back: each runs from a copy, once.)
      for (const each of [...set]) each();
      set.clear();
    };
    // The set remembers its listener, to remove it when the last call leaves.
    listeners.set(set, dispatch);
    signal.addEventListener('abort', dispatch, { once: true });
  }
  callbacks.add(callback);
}

const listeners = new WeakMap<Set<() => void>, () => void>();

/** offAbort - `callback` no longer waits on `signal` (its call ended); nothing if it did not. */
export function offAbort(signal: AbortSignal, callback: () => void): void {
  const callbacks = waiting.get(signal);
  if (callbacks === undefined || !callbacks.delete(callback) || callbacks.size !== 0) return;
  waiting.delete(signal);
  const dispatch = listeners.get(callbacks);
  if (dispatch !== undefined) signal.removeEventListener('abort', dispatch);
}
