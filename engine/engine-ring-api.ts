/**
 * The completion-ring part of the engine's public API, the 2007 interface (split from engine.ts;
 * {@link Engine} extends it): negotiate, register and unregister the ring, reap completions from
 * it, and wait for them — blocking, as a Promise, or as an async iterator.
 */
import { optionsOf, signalOf } from './arguments.js';
import { EINVAL } from './native/index.js';
import { negotiateRing, type Completion, type CompletionRing, type RingCapabilities, type RingRequest } from './ring.js';
import type { ChainListener, RingRegistration } from './engine-options.js';
import { CompletionDelivery } from './completion-delivery.js';
import { EngineMemory } from './engine-memory.js';

/**
 * The base of {@link Engine} that holds its completion ring; Engine supplies how completions are
 * processed ({@link pump}) and waited for ({@link waitUntil}).
 */
export abstract class EngineRingApi extends EngineMemory {
  /** @internal Where completions of chains without a listener go: the ring and what waits for room in it. */
  protected readonly delivery = new CompletionDelivery(this.memory);

  /** Chains submitted and not yet completed. */
  abstract get inflight(): number;

  /** pump - process finished chains now (the event loop does this by itself). @returns how many. */
  abstract pump(): number;

  /** submit - run a chain; see Engine.submit. */
  abstract submit(atom: number, listener: ChainListener | null, offRing?: boolean): number;

  /** waitUntil - block the calling thread, processing completions, until `ready()` is true (see Engine.waitUntil). */
  abstract waitUntil(ready: () => boolean, timeoutMs: number | null, interruptFd?: number): number;

  /** The registered ring, if any. */
  get ring(): CompletionRing | null {
    return this.delivery.ring;
  }

  /**
   * async_exec - run a syslet.
   *
   * @param atom - address of the first atom (engine memory or a registered buffer).
   * @returns the address of the last executed atom when the whole chain completed inline
   *   (nothing is posted to the ring unless `reportInline`); `0n` when it went to a cachemiss
   *   thread (its last atom will be posted to the ring unless it has SYSLET_NO_COMPLETE);
   *   a negative `-errno` when the submission itself is refused: EFAULT (the first atom is not in
   *   engine memory), ESHUTDOWN (engine closed), EAGAIN (too many chains in flight).
   * @example
   * ```ts
   * const last = engine.async_exec(chain.first.address);
   * if (last > 0n) console.log('done inline');
   * ```
   */
  async_exec(atom: bigint | number): bigint {
    const address = typeof atom === 'bigint' ? (atom < 0n || atom > BigInt(Number.MAX_SAFE_INTEGER) ? -1 : Number(atom)) : atom;
    const result = this.submit(address, null);
    return BigInt(result);
  }

  /** negotiateRing - see {@link negotiateRing}; nothing is set up. */
  negotiateRing(request: RingRequest): RingCapabilities {
    return negotiateRing(request);
  }

  /**
   * async_register - register the completion ring. While it is registered, its memory cannot be
   * freed or unregistered ({@link free} throws EBUSY): the engine writes completions into it.
   * @returns 0, or -EINVAL (size not a positive multiple of the entry size, misaligned),
   *   -EFAULT (not in engine memory), -EBUSY (a ring is registered already).
   */
  async_register(registration: RingRegistration): number {
    return this.delivery.register(registration);
  }

  /**
   * async_unregister - forget the ring. Completions that could not be posted yet stay pending
   * for the next ring. @returns 0, or -EINVAL when none is registered.
   */
  async_unregister(): number {
    return this.delivery.unregister();
  }

  /** reap - take the next completion from the ring (NULLing its slot). @returns null when empty. */
  reap(): Completion | null {
    this.pump();
    return this.delivery.reap();
  }

  /**
   * async_wait - block the calling thread until at least `minEvents` completions wait in the ring.
   *
   * A completion waits from the moment it is stored until the consumer takes it, by
   * {@link reap} or — the 2007 contract — by reading its slot and setting it to NULL itself.
   * Either way the engine counts from the consumer's position, never from an index only
   * `reap()` moves.
   *
   * @param minEvents - how many to wait for (0 returns at once).
   * @param userRingIdx - the caller's own consumer index, the 2007 v3 `user_ring_idx`: the slot
   *   of the next completion it will take. Completions are then counted from that slot, and it
   *   becomes the consumer's position. Without it, the position is where the caller stopped
   *   taking slots (consumers take them in order).
   * @returns how many are there; fewer than asked only when nothing is left in flight (waiting
   *   longer could never succeed). -EINVAL when no ring is registered, `minEvents` exceeds its
   *   capacity, or `userRingIdx` is not a non-negative integer.
   * @example
   * ```ts
   * // Take slot 0 by hand, as a 2007 program did, then wait for the next one.
   * ring.view.setBigUint64(0, 0n, true);
   * engine.async_wait(1, 1);
   * ```
   */
  async_wait(minEvents: number, userRingIdx?: number): number {
    const ring = this.delivery.ring;
    if (ring === null || !Number.isSafeInteger(minEvents) || minEvents < 0 || minEvents > ring.capacity) return -EINVAL;
    if (userRingIdx !== undefined && !(Number.isSafeInteger(userRingIdx) && userRingIdx >= 0)) return -EINVAL;
    this.waitUntil(() => ring.available(userRingIdx) >= minEvents || (this.inflight === 0 && this.delivery.pendingCount === 0), null);
    return ring.available(userRingIdx);
  }

  /**
   * asyncWait - the Promise form of {@link async_wait}: resolves with the number of completions
   * waiting once there are at least `minEvents` (or nothing is left in flight).
   * @param options - `signal` aborts the wait; `userRingIdx` as for {@link async_wait}.
   * @throws (rejects) the signal's reason when `signal` aborts; RangeError when no ring is
   *   registered, `minEvents` exceeds it or `userRingIdx` is not a non-negative integer;
   *   TypeError ERR_INVALID_ARG_TYPE for a `signal` that is not an AbortSignal.
   */
  asyncWait(minEvents: number, options: { signal?: AbortSignal; userRingIdx?: number } = {}): Promise<number> {
    const ring = this.delivery.ring;
    let signal: AbortSignal | undefined;
    try {
      signal = signalOf(optionsOf(options).signal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
    }
    const userRingIdx = options.userRingIdx;
    if (ring === null || minEvents > ring.capacity) return Promise.reject(new RangeError('asyncWait: no ring registered, or minEvents exceeds it'));
    if (userRingIdx !== undefined && !(Number.isSafeInteger(userRingIdx) && userRingIdx >= 0)) return Promise.reject(new RangeError(`asyncWait: userRingIdx must be a non-negative integer, got ${String(userRingIdx)}`));
    return this.delivery.whenReady(() => ring.available(userRingIdx) >= minEvents || (this.inflight === 0 && this.delivery.pendingCount === 0), signal, () => this.pump()).then(() => ring.available(userRingIdx));
  }

  /**
   * completions - an async iterator over ring completions, in ring order. It ends when nothing is
   * in flight and the ring is empty, or when `signal` aborts.
   * @throws TypeError ERR_INVALID_ARG_TYPE (from the first `next()`) for a `signal` that is not
   *   an AbortSignal.
   */
  async *completions(options: { signal?: AbortSignal } = {}): AsyncGenerator<Completion> {
    const signal = signalOf(optionsOf(options).signal);
    for (;;) {
      const next = this.reap();
      if (next !== null) {
        yield next;
        continue;
      }
      if (this.inflight === 0 && this.delivery.pendingCount === 0) return;
      await this.delivery.whenReady(() => (this.delivery.ring?.available() ?? 0) > 0 || (this.inflight === 0 && this.delivery.pendingCount === 0), signal, () => this.pump());
    }
  }

}
