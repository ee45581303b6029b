/**
 * A budget of calls per turn of the event loop, for every Promise API of the library (one budget
 * per thread: all engines, all layers). A call whose chain completes inline settles its Promise
 * in the microtask queue, so a loop such as `while (!stopped) await fs.stat(path)` or
 * `await aio.read(fd, buf, 0)` over cached data never gave the event loop a turn: timers, I/O and
 * signal listeners never ran, and `stopped` never changed. node:fs/promises works on the thread
 * pool and gives a turn per call. Past {@link CALLS_PER_TURN} calls in one turn a call waits for
 * the next turn: a loop of cached calls gives one about every 50 ms, and a Promise.all over
 * 10,000 files still begins in one turn.
 */

/** How many calls begin in one turn of the event loop before the next ones wait for another. */
export const CALLS_PER_TURN = 16_384;
let callsThisTurn = 0;
let nextTurn: Promise<void> | null = null;
let endTurn: (() => void) | null = null;

/** The event loop has turned (a setImmediate of the turn's first call): calls waiting for it go on. */
function turnEnded(): void {
  callsThisTurn = 0;
  const resume = endTurn;
  nextTurn = null;
  endTurn = null;
  resume?.();
}

/**
 * countCall - count one call against this turn's budget.
 *
 * @returns null while the budget lasts (the call goes on now: nothing is allocated), else a
 *   Promise that resolves on the next turn of the event loop, which the call waits for.
 */
export function countCall(): Promise<void> | null {
  if (++callsThisTurn > CALLS_PER_TURN) return (nextTurn ??= new Promise((resolve) => (endTurn = resolve)));
  if (callsThisTurn === 1) setImmediate(turnEnded);
  return null;
}

function second<T>(pair: readonly [void, T]): T {
  return pair[1];
}

/**
 * paced - `promise` itself while this turn's budget lasts (see {@link countCall}); past it, a
 * Promise of the same outcome that settles no earlier than the next turn. A rejection of
 * `promise` is handled at once (no unhandled-rejection report while it waits).
 */
export function paced<T>(promise: Promise<T>): Promise<T> {
  const wait = countCall();
  return wait === null ? promise : Promise.all([wait, promise]).then(second);
}
