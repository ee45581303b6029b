/**
 * Threads a pool needed again soon after letting them go stay alive while idle, for a while
 * (split from pool-threads.ts).
 *
 * Why: every thread that ends leaves koffi's call memory behind. koffi (3.3.4) never deletes its
 * per-isolate instance data (ffi.cc makes it with `new` and registers no finalizer), so the
 * synchronous-call stack (2 MiB and two guard pages) and heap (1 MiB) of every isolate that loaded
 * it stay mapped: three mappings. A pool whose load came in bursts further apart than its idle
 * time started and ended its extra threads in every burst: measured, 30 bursts of 4 blocking
 * chains with the threads leaving in between took a process from 276 to 583 mappings. At a burst
 * every few seconds, a server on the threads engine (Docker's default seccomp profile refuses
 * io_uring) would reach vm.max_map_count (65,530) within hours, and then every mmap fails. (The
 * memory cannot be unmapped from JavaScript: every FFI call, a munmap included, runs on that stack.)
 *
 * The rule: a thread started within {@link REHIRE_WINDOW_MS} of one having ended raises the count
 * the pool keeps alive while idle to the threads alive then; the raise halves every
 * {@link DECAY_MS} in which no thread was needed again. Bursts closer together than that start no
 * thread twice; further apart, a slot's thread is started at most once per {@link DECAY_MS}. A
 * kept idle thread costs about 10 MB of RSS, and none keeps the process alive.
 */

/** A thread needed again this soon after one ended counts as a rehire. */
export const REHIRE_WINDOW_MS = 60_000;
/** How long rehired threads stay kept without another rehire before the raise halves. */
export const DECAY_MS = 10 * 60_000;

/** The rehire rule of one pool (JS thread). */
export class RehireKeep {
  readonly #changed: () => void;
  #lastEndedAt = -Infinity;
  #learned = 0;
  #rehiredSinceTick = false;
  #timer: ReturnType<typeof setInterval> | null = null;

  /** @param changed - called when {@link learned} (the count the rule wants kept) has changed. */
  constructor(changed: () => void) {
    this.#changed = changed;
  }

  /** The threads the rule keeps alive while idle now (0 when it keeps none). */
  get learned(): number {
    return this.#learned;
  }

  /** ended - a thread that had started has ended (it left idle, or died). */
  ended(now: number): void {
    this.#lastEndedAt = now;
  }

  /** started - a thread was started; `alive` threads are alive with it. */
  started(now: number, alive: number): void {
    if (now - this.#lastEndedAt >= REHIRE_WINDOW_MS) return;
    this.#rehiredSinceTick = true;
    if (alive > this.#learned) {
      this.#learned = alive;
      this.#changed();
    }
    if (this.#timer === null) {
      // Held weakly: an engine dropped without close() must still be collectable (engine-dropped.ts).
      const self = new WeakRef(this);
      const timer = setInterval(() => {
        const rule = self.deref();
        if (rule === undefined) clearInterval(timer);
        else rule.#tick();
      }, DECAY_MS);
      timer.unref();
      this.#timer = timer;
    }
  }

  #tick(): void {
    if (this.#rehiredSinceTick) {
      this.#rehiredSinceTick = false;
      return;
    }
    this.#learned >>= 1;
    this.#changed();
    if (this.#learned === 0) this.close();
  }

  /** close - stop the decay timer (the pool has closed). */
  close(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }
}
