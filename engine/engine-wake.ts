/**
 * How the engine's calling thread learns that chains completed (split from engine.ts): the
 * eventfd both the io_uring engine and the cachemiss threads signal, the libuv watcher that
 * processes completions on the event loop (referenced only while chains are in flight, so an idle
 * engine never keeps a process alive), and the blocking wait on it behind Engine.waitUntil.
 */
import { isMainThread } from 'node:worker_threads';
import { allocNative, syscall, watchReadable, THREAD_RESOURCE, holdForThisThread, closeHeld, type FdWatcher, EAGAIN, EINTR } from './native/index.js';
import type { UringEngine } from './uring-engine.js';
import { NR } from './syscalls/nr.js';
import { SyscallError } from './errors.js';
import { EFD_CLOEXEC, EFD_NONBLOCK, POLLIN } from './syscalls/constants.generated.js';
import { busyEngine, type CompletionSource } from './event-loop-turns.js';

// At exit, libuv makes one last pass over open handles: an eventfd left readable (completions
// already consumed by waitUntil, which does not always read it) would call into JS while the
// environment is being torn down, and koffi aborts the process. Stop watching before that.
const liveWatchers = new Set<FdWatcher>();
let exitHooked = false;
function closeAtExit(watcher: FdWatcher): void {
  liveWatchers.add(watcher);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const live of liveWatchers) live.close();
    liveWatchers.clear();
  });
}
const SYS_ppoll = NR.ppoll;
const SYS_eventfd2 = NR.eventfd2;
const SYS_read = NR.read;
const NS_PER_MS = 1e6;
/** The longest single sleep of a synchronous wait (one day): see waitUntil. */
const LONGEST_SLEEP_MS = 86_400_000;
/**
 * The longest single sleep of a synchronous wait in a worker thread: worker.terminate() takes
 * effect only when the thread runs JavaScript again, and a wait asleep in ppoll without a timeout
 * (aio_suspend, lio_listio LIO_WAIT on an empty FIFO) never did — terminate() stayed pending and
 * the process could not exit (hunt25: 4 of 4). Waking this often costs a syscall and a look.
 */
const IN_WORKER_SLEEP_MS = 100;
/** `performance` read once: by name it is a lazy accessor on globalThis (see chain-endings.ts). */
const clock = performance;
/**
 * How long a synchronous wait polls for the next completion of a cachemiss thread before it
 * sleeps in ppoll (only while such polls have mostly been answered: see EngineWake.waitUntil). A
 * sleep costs the waiting thread a ppoll, an eventfd read and two context switches, and the
 * cachemiss thread an eventfd write: per completion, more than the chain itself when chains are
 * short (P5: 4 KiB buffered writes, ~3 µs each, woke the calling thread every ~8 writes). The
 * cachemiss threads poll their queue too (SPIN_MS in cachemiss-worker.ts).
 */
const SPIN_MS = 0.02;
/**
 * A poll that sees no completion costs SPIN_MS of CPU for nothing; one that sees one saves a
 * sleep and a wake-up. Polls go on only while at least this share of the recent ones (a moving
 * average, weight 1/8) saw a completion: chains that block (uncached reads, ~100 µs and more)
 * would leave the calling thread polling in vain (P2: +9 µs of CPU a read with a poll before
 * every sleep).
 */
const SPIN_HIT_SHARE = 0.9;
const SPIN_WEIGHT = 1 / 8;
/** While polls are off, every this many waits polls once anyway, to notice chains got short again. */
const SPIN_PROBE_EVERY = 64;

/** What the wake-up needs from its engine (called on the JS thread). */
export interface WakeHooks {
  /** Process finished chains now. @returns how many. */
  pump(): number;
  /** Whether finished chains wait to be processed (no side effect, no syscall). */
  completionsWaiting(): boolean;
  /** Ask for an eventfd poke before sleeping. @returns true when completions already wait. */
  armWake(): boolean;
  /** Chains submitted and not yet completed. */
  inflight(): number;
  /** When the cachemiss pool wants its stall check run (performance.now() ms; Infinity: never). */
  stallCheckDue(): number;
  /** Run the pool's stall check if due: its timer cannot fire while the wait blocks the thread. */
  checkStallIfDue(): void;
}

/** The engine's eventfd, its event-loop watcher and the blocking wait on it (one per engine). */
export class EngineWake implements CompletionSource {
  /** The eventfd both the io_uring engine and the cachemiss threads signal (-1: not made yet). */
  #eventfd = -1;
  #watcher: FdWatcher | null = null;
  /** Holders that keep the event loop alive (see {@link ref}). */
  #holders = 0;
  /**
   * The engine's hooks, held weakly: the event loop's watcher and the cachemiss pool reach this
   * object, and through strong hooks (closures over the engine) they kept every engine a program
   * dropped without close() alive for good, its ring, eventfd and threads with it (hunt25). The
   * engine keeps them; while chains are in flight {@link #busyHooks} does too.
   */
  readonly #hooks: WeakRef<WakeHooks>;
  /** The hooks while chains are in flight (see {@link ref}): their completions must be delivered. */
  #busyHooks: WakeHooks | null = null;
  readonly #scratch: DataView;
  readonly #scratchAddress: number;
  /** The moving share of a synchronous wait's recent polls that saw a completion (see SPIN_HIT_SHARE). */
  #spinHits = 1;
  /** Waits that did not poll (see SPIN_PROBE_EVERY). */
  #unpolled = 0;

  /**
   * @param hooks - the engine's side; the caller keeps this very object alive for as long as it
   *   wants completions (it is held weakly here while nothing is in flight).
   */
  constructor(hooks: WakeHooks) {
    this.#hooks = new WeakRef(hooks);
    const scratch = allocNative(64, 64);
    this.#scratch = new DataView(scratch.buffer);
    this.#scratchAddress = scratch.address;
  }

  /** The eventfd completions signal, and the libuv watcher that processes them on the event loop. */
  ensure(): number {
    if (this.#eventfd >= 0) return this.#eventfd;
    const fd = syscall(SYS_eventfd2, 0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (fd < 0) throw new SyscallError(fd, 'eventfd2');
    // Given back by another thread if this worker is terminated before it closes it (thread-resources.ts).
    holdForThisThread(THREAD_RESOURCE.eventfd, fd);
    this.#eventfd = fd;
    const scratch = this.#scratchAddress + 40;
    const weakHooks = this.#hooks;
    this.#watcher = watchReadable(fd, () => {
      // Read first, even for an engine gone: the watcher is level-triggered.
      syscall(SYS_read, fd, scratch, 8);
      const hooks = weakHooks.deref();
      // Collected (nothing was in flight): its finalizer closes this watcher.
      if (hooks === undefined) return;
      // Back to the event loop only once a poke is armed and nothing is left to deliver.
      do hooks.pump();
      while (hooks.armWake());
    });
    closeAtExit(this.#watcher);
    if (this.#holders > 0) this.#watcher.ref();
    return fd;
  }

  /**
   * The first chain in flight (or the first of the ring's file reads, uring-file-reads.ts): keep
   * the event loop alive for its completion. Each holder refs once and unrefs once.
   */
  ref(): void {
    if (this.#holders++ !== 0) return;
    this.#busyHooks = this.#hooks.deref() ?? null;
    this.#watcher?.ref();
    // Calls that complete inline deliver this engine's completions meanwhile (event-loop-turns.ts).
    busyEngine(this, true);
  }

  /** A holder has nothing in flight any more: once none has, let the event loop end. */
  unref(): void {
    if (--this.#holders !== 0) return;
    this.#busyHooks = null;
    this.#watcher?.unref();
    busyEngine(this, false);
  }

  /** completionsWaiting - see {@link CompletionSource}. */
  completionsWaiting(): boolean {
    // (Asked of every busy engine at each look for completions, event-loop-turns.ts: the strong
    // hooks first, so no WeakRef deref while chains are in flight.)
    return this.#watcher !== null && ((this.#busyHooks ?? this.#hooks.deref())?.completionsWaiting() ?? false);
  }

  /** deliverCompletions - see {@link CompletionSource}: what the event loop's callback does, without its eventfd read. */
  deliverCompletions(): void {
    (this.#busyHooks ?? this.#hooks.deref())?.pump();
  }

  /** Stop watching and close the eventfd (the engine has closed). */
  close(): void {
    busyEngine(this, false);
    this.#busyHooks = null;
    if (this.#watcher !== null) liveWatchers.delete(this.#watcher);
    this.#watcher?.close();
    this.#watcher = null;
    if (this.#eventfd >= 0) {
      closeHeld(THREAD_RESOURCE.eventfd, this.#eventfd);
    }
    this.#eventfd = -1;
  }

  /** Engine.waitUntil's loop (without its final re-arm): see there. */
  waitUntil(ready: () => boolean, timeoutMs: number | null, interruptFd: number, uring: UringEngine | null): number {
    // Its engine called: the hooks are there.
    const hooks = this.#hooks.deref() as WakeHooks;
    const deadline = timeoutMs === null ? Number.POSITIVE_INFINITY : clock.now() + timeoutMs;
    for (;;) {
      hooks.pump();
      if (ready()) return 0;
      const eventfd = this.#eventfd;
      const now = clock.now();
      const remaining = deadline - now;
      if (remaining <= 0) return -EAGAIN;
      // Chains queued behind blocked ones get a thread from the pool's stall check, a timer,
      // which cannot fire while this wait blocks the thread: run it here, and wake up for it.
      const stallDue = hooks.stallCheckDue();
      if (stallDue <= now) {
        hooks.checkStallIfDue();
        continue;
      }
      const sleep = Math.min(remaining, stallDue - now);
      if (eventfd < 0 && interruptFd < 0) {
        // Nothing can complete and nothing can interrupt: waiting could never end.
        if (timeoutMs === null) return -EAGAIN;
      }
      // Chains on cachemiss threads whose completions come sooner than a poll lasts: poll for
      // the next one, without the eventfd (not with the ring: its waits are its own, below).
      if (uring === null && hooks.inflight() > 0 && (this.#spinHits >= SPIN_HIT_SHARE || ++this.#unpolled >= SPIN_PROBE_EVERY)) {
        this.#unpolled = 0;
        const hit = poll(hooks, Math.min(deadline, stallDue, now + SPIN_MS));
        this.#spinHits += ((hit ? 1 : 0) - this.#spinHits) * SPIN_WEIGHT;
        if (hit) continue;
      }
      // Ask cachemiss threads to poke the eventfd before sleeping; if something finished in the
      // meantime, go round again instead.
      if (hooks.armWake()) continue;
      // Only the ring can end this wait (every chain in flight is in it: none on a cachemiss
      // thread, nor a successor waiting for one; no signalfd, no deadline): sleep in the ring.
      // (Not in a worker thread: that wait has no timeout, see IN_WORKER_SLEEP_MS.)
      if (isMainThread && uring !== null && interruptFd < 0 && timeoutMs === null && uring.inFlight === hooks.inflight() && uring.waitForCompletion()) continue;
      const view = this.#scratch;
      const at = this.#scratchAddress;
      view.setInt32(0, eventfd, true);
      view.setInt16(4, POLLIN, true);
      view.setInt16(6, 0, true);
      view.setInt32(8, interruptFd, true);
      view.setInt16(12, POLLIN, true);
      view.setInt16(14, 0, true);
      let timespec = 0;
      if (Number.isFinite(sleep) || !isMainThread) {
        // At most a day per ppoll, then round again: a timeout of 2^63 s or more wrapped in the
        // int64 tv_sec (EINVAL, or 0: a loop that spun a core until the completion), and one past
        // ~1.8e296 s made ns Infinity, which BigInt() threw out of aio_suspend (hunt25).
        const ns = Math.ceil(Math.min(sleep, isMainThread ? LONGEST_SLEEP_MS : IN_WORKER_SLEEP_MS) * NS_PER_MS);
        view.setBigInt64(16, BigInt(Math.floor(ns / 1e9)), true);
        view.setBigInt64(24, BigInt(ns % 1e9), true);
        timespec = at + 16;
      }
      const polled = syscall(SYS_ppoll, at, interruptFd >= 0 ? 2 : 1, timespec, 0, 8);
      // A signal with a handler of its own (libuv's SIGCHLD for child_process, a process.on
      // listener) interrupts ppoll, which the kernel never restarts. It is not the program's
      // signal for this wait: glibc's futex wait restarts under SA_RESTART, which libuv's handlers
      // use. Go round: process completions, test ready(), recompute the time left.
      if (polled === -EINTR) continue;
      if (interruptFd >= 0 && (view.getInt16(14, true) & POLLIN) !== 0) {
        // A signal the program receives through the library: EINTR — unless what the caller
        // waits for has happened meanwhile, which it must then hear about.
        hooks.pump();
        return ready() ? 0 : -EINTR;
      }
      if (eventfd >= 0 && (view.getInt16(6, true) & POLLIN) !== 0) syscall(SYS_read, eventfd, at + 32, 8);
    }
  }
}

/** Poll until a completion waits or `until` (performance.now() ms) passes. @returns whether one came. */
function poll(hooks: WakeHooks, until: number): boolean {
  for (let polls = 1; ; polls++) {
    if (hooks.completionsWaiting()) return true;
    if ((polls & 15) === 0 && clock.now() >= until) return false;
  }
}
