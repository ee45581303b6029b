/**
 * The cachemiss-pool part of the engine's public API (split from engine.ts; {@link Engine}
 * extends it): glibc aio_init's knobs, starting threads ahead of need, and what tests and
 * diagnostics read of the pool or do to it.
 */
import type { CachemissThreads } from './cachemiss-threads.js';
import { EngineRingApi } from './engine-ring-api.js';

/** The base of {@link Engine} with the calls on its cachemiss pool; Engine supplies the pool. */
export abstract class EnginePoolApi extends EngineRingApi {
  /** @internal The engine's side of its cachemiss pool (started on first need). */
  protected abstract get cachemissThreads(): CachemissThreads;

  /** @internal The cachemiss pool's active-slot accounting (see CachemissPool.activeSlots), for tests; zeros before the pool starts. */
  get activeSlots(): { counted: number; held: number; bound: number } {
    return this.cachemissThreads.pool?.activeSlots ?? { counted: 0, held: 0, bound: 0 };
  }

  /**
   * @internal setActiveBound - set the bound on cachemiss threads running chains at once, as the
   * governor does when chains turn short and CPU-bound (it sets it again on its next change of
   * mind): for tests that need the pool over its bound without depending on the machine's timing.
   */
  setActiveBound(count: number): void {
    this.cachemissThreads.pool?.setMaxActive(count);
  }

  /** Cachemiss threads alive now. */
  get threads(): number {
    return this.cachemissThreads.pool?.threads ?? 0;
  }

  /**
   * configurePool - glibc aio_init's knobs: most threads and idle time. Takes effect for threads
   * started from now on.
   */
  configurePool(threads: number, idleTimeMs: number): void {
    this.cachemissThreads.configure(threads, idleTimeMs);
  }

  /**
   * warm - start `count` cachemiss threads now rather than on first need (a thread takes tens of
   * milliseconds to start: a long-running program pays that once, up front).
   *
   * @returns a promise that resolves when they are ready, or after `timeoutMs` (default 10 s).
   * @throws RangeError for a count that is not an integer from 1 to the pool size.
   */
  async warm(count: number, timeoutMs = 10_000): Promise<void> {
    return this.cachemissThreads.warm(count, timeoutMs);
  }

  /** killCachemissThread - fault injection: end a running cachemiss thread as if it crashed. */
  async killCachemissThread(index = 0): Promise<boolean> {
    return (await this.cachemissThreads.pool?.terminateThread(index)) ?? false;
  }
}
