/**
 * A budget of calls per turn of the event loop, for every Promise API of the library (one budget
 * per thread: all engines, all layers). A call whose chain completes inline settles its Promise
 * in the microtask queue, so a loop such as `while (!stopped) await fs.stat(path)` or
 * `await aio.read(fd, buf, 0)` over cached data never gave the event loop a turn: timers, I/O and
 * signal listeners never ran, and `stopped` never changed. node:fs/promises works on the thread
 * pool and gives a turn per call. Past {@link CALLS_PER_TURN} calls in one turn, or once
 * {@link TURN_MS} have passed since the turn's first call, a call waits for the next turn: a loop
 * of small cached calls gives one about every 50 ms (the call budget), and so does a loop of
 * large ones (the time bound: counting calls alone, 16,384 cached 1 MiB readFiles held timers
 * back for 5-8 s). A Promise.all over 10,000 cached files still begins in one turn: a call that
 * waits for the next turn costs a Promise more, which session 11 measured as a quarter more CPU
 * for such a burst when the bound was 20 ms.
 */

/**
 * An engine with chains in flight, whose completions a call may deliver between event-loop turns
 * (see {@link countCall}): the wake-up of engine-wake.ts.
 */
export interface CompletionSource {
  /** Whether completions are waiting now (cheap: loads from the ring and the queues, no syscall). */
  completionsWaiting(): boolean;
  /** Deliver them (the engine's pump). */
  deliverCompletions(): void;
}

/**
 * The engines of this thread with chains in flight. A loop of calls that complete inline gives
 * the event loop a turn only every {@link CALLS_PER_TURN} calls or {@link TURN_MS}: chains in
 * the ring or on cachemiss threads (another request's open, write or poll) finished meanwhile
 * but were delivered only at that turn, one step of theirs per turn. A 1-byte writeFile beside
 * a loop of cached reads on the threads engine settled after 1,091–6,823 reads and 100–332 ms
 * (node:fs/promises: 1–2 reads; session 21, apps21). So each call looks whether a busy engine
 * has completions waiting and, if so, delivers them in a microtask: after the caller's
 * synchronous code, with no library call on the stack, as the event loop's callback would.
 */
const busy: CompletionSource[] = [];
let deliveryQueued = false;

/** busyEngine - `source` has chains in flight (true) or none any more (false). */
export function busyEngine(source: CompletionSource, inFlight: boolean): void {
  const at = busy.indexOf(source);
  if (inFlight && at < 0) busy.push(source);
  else if (!inFlight && at >= 0) busy.splice(at, 1);
}

/** When the last delivery between turns ran (ms, the clock's). */
let deliveredAt = -Infinity;

function deliverWaiting(): void {
  deliveryQueued = false;
  deliveredAt = clock.now();
  // (A delivery may end an engine's last chain and take it out of the list: walk backwards.)
  for (let i = busy.length - 1; i >= 0; i--) {
    const source = busy[i];
    if (source !== undefined && source.completionsWaiting()) source.deliverCompletions();
  }
}

function lookForCompletions(): void {
  for (let i = 0; i < busy.length; i++) {
    if ((busy[i] as CompletionSource).completionsWaiting()) {
      deliveryQueued = true;
      queueMicrotask(deliverWaiting);
      return;
    }
  }
}

/** How many calls begin in one turn of the event loop before the next ones wait for another. */
export const CALLS_PER_TURN = 16_384;
/** How long (ms of wall time from a turn's first call) calls go on beginning in that turn. */
export const TURN_MS = 50;
/**
 * How old a turn must be (ms from its first call) before a call delivers completions waiting
 * beside it: a loop of inline calls that goes on longer is starving them.
 */
const DELIVER_AFTER_MS = 1;
/**
 * Whether the synchronous run that made the turn's first call is over: calls made in it (a burst:
 * 40 concurrent reads of a large file, a Promise.all) are never a loop awaiting inline calls, and
 * a delivery they queued ran right after them, before the timers and immediates queued before
 * them, which node:fs/promises's completions never do.
 */
let firstRunOver = false;
const SETTLED = Promise.resolve();
const markFirstRunOver = (): void => {
  firstRunOver = true;
};
/** The clock is read on every 4th call: a call costs microseconds, a clock read tens of ns. */
const CLOCK_EVERY_MASK = 3;
/** `performance` read once: by name it is a lazy accessor on globalThis (see chain-endings.ts). */
const clock = performance;
let callsThisTurn = 0;
let turnStartedAt = 0;
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
  // Completions are delivered here only in a turn that needs it: once the turn's first
  // synchronous run is over and it has gone on for DELIVER_AFTER_MS (a loop of awaited inline
  // calls: the starving this is for), at most once per DELIVER_AFTER_MS (what a delivery resumes
  // may make calls itself, and must not keep the turn going on its own), and not past the turn's
  // budget. A young turn ends soon by itself, and the event loop's watcher delivers them then.
  // Delivered from every call, completions whose chains made further calls went on in
  // microtasks without end (hunt23: 100 readFileSyslet calls of 16 MiB on the threads engine held
  // a 2 ms timer back for 2.4 s; 3-19 of 40 concurrent readFileInto settled before an immediate
  // scheduled before them).
  if (busy.length !== 0 && !deliveryQueued && firstRunOver && callsThisTurn < CALLS_PER_TURN && (callsThisTurn & CLOCK_EVERY_MASK) === 0) {
    const now = clock.now();
    if (now - turnStartedAt >= DELIVER_AFTER_MS && now - deliveredAt >= DELIVER_AFTER_MS) lookForCompletions();
  }
  const calls = ++callsThisTurn;
  if (calls === 1) {
    setImmediate(turnEnded);
    turnStartedAt = clock.now();
    firstRunOver = false;
    void SETTLED.then(markFirstRunOver);
    return null;
  }
  if (calls <= CALLS_PER_TURN) {
    if ((calls & CLOCK_EVERY_MASK) !== 0 || clock.now() - turnStartedAt <= TURN_MS) return null;
    // Out of time: every later call of this turn waits too, without reading the clock again.
    callsThisTurn = CALLS_PER_TURN;
  }
  return (nextTurn ??= new Promise((resolve) => (endTurn = resolve)));
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
