/**
 * Where completions of chains without a listener go (split from engine.ts): the registered
 * completion ring, the records that did not fit in it yet (posted in order once there is room,
 * or to the next ring), and the Promise waits (asyncWait, the completions iterator) woken after
 * each pass over finished chains.
 */
import { EBUSY, EFAULT, EINVAL } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import { ATOM, SYSLET_NO_COMPLETE } from './atom.js';
import { CompletionRing, negotiateRing, RING_ENTRY_SIZE, type Completion, type CompletionRecord } from './ring.js';
import type { RingRegistration } from './engine-options.js';

/** The registered ring, the records waiting for room in it, and the Promise waiters (one per engine). */
export class CompletionDelivery {
  readonly #memory: MemoryRegistry;
  #ring: CompletionRing | null = null;
  #reportInline = false;
  readonly #pending: CompletionRecord[] = [];
  readonly #waiters = new Set<() => void>();

  constructor(memory: MemoryRegistry) {
    this.#memory = memory;
  }

  /** The registered ring, if any. */
  get ring(): CompletionRing | null {
    return this.#ring;
  }

  /** Whether inline completions are posted too (RingRegistration.reportInline). */
  get reportInline(): boolean {
    return this.#reportInline;
  }

  /** Records not yet posted (no ring, or no room in it). */
  get pendingCount(): number {
    return this.#pending.length;
  }

  /** Engine.async_register: see there. */
  register(registration: RingRegistration): number {
    if (this.#ring !== null) return -EBUSY;
    const capabilities = registration.capabilities ?? negotiateRing({ version: 1 });
    // Capabilities must be what negotiateRing gives: a forged entry size would post outside the ring.
    if ((capabilities.version !== 1 && capabilities.version !== 2) || capabilities.entrySize !== RING_ENTRY_SIZE[capabilities.version]) return -EINVAL;
    const address = Number(registration.ring);
    const size = registration.ringSizeBytes;
    if (!Number.isSafeInteger(size) || size <= 0 || size % capabilities.entrySize !== 0 || address % 8 !== 0) return -EINVAL;
    const region = this.#memory.find(address, size);
    if (region === null) return -EFAULT;
    this.#ring = new CompletionRing(this.#memory, region, address, size, capabilities);
    // The engine writes completions into it outside any chain: it must outlive the registration.
    this.#memory.pin(region, 'the registered completion ring');
    this.#reportInline = registration.reportInline === true;
    return 0;
  }

  /** Engine.async_unregister: see there. */
  unregister(): number {
    if (this.#ring === null) return -EINVAL;
    this.#memory.unpin(this.#ring.region);
    this.#ring = null;
    this.#reportInline = false;
    return 0;
  }

  /** The next completion in the ring (NULLing its slot), or null; room it frees goes to pending records. */
  reap(): Completion | null {
    const completion = this.#ring?.reap() ?? null;
    if (completion !== null) this.#flushPending();
    return completion;
  }

  /** After a pass over finished chains: post what waited for room, and let Promise waiters test their condition. */
  afterPump(): void {
    if (this.#pending.length > 0) this.#flushPending();
    if (this.#waiters.size > 0) for (const wake of [...this.#waiters]) wake();
  }

  /** Posts a completion record, behind any still waiting for room. */
  post(record: CompletionRecord): void {
    if (this.#pending.length > 0 || this.#ring === null || !this.#ring.tryPost(record)) this.#pending.push(record);
  }

  #flushPending(): void {
    const ring = this.#ring;
    if (ring === null) return;
    while (this.#pending.length > 0 && ring.tryPost(this.#pending[0] as CompletionRecord)) this.#pending.shift();
  }

  /** Whether the atom asks for no completion record (SYSLET_NO_COMPLETE). */
  hasNoComplete(atom: number): boolean {
    const region = this.#memory.find(atom, ATOM.size);
    return region !== null && (region.view.getUint32(atom - region.start + ATOM.flags, true) & SYSLET_NO_COMPLETE) !== 0;
  }

  /**
   * A promise that resolves once `ready()` holds, tested now (after `pump`) and after each pass
   * over finished chains; it rejects with the signal's reason when `signal` aborts first.
   */
  whenReady(ready: () => boolean, signal: AbortSignal | undefined, pump: () => void): Promise<void> {
    pump();
    if (ready()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const wake = (): void => {
        if (!ready()) return;
        cleanup();
        resolve();
      };
      const abort = (): void => {
        cleanup();
        reject(signal?.reason as Error);
      };
      const cleanup = (): void => {
        this.#waiters.delete(wake);
        signal?.removeEventListener('abort', abort);
      };
      if (signal?.aborted === true) {
        reject(signal.reason as Error);
        return;
      }
      signal?.addEventListener('abort', abort, { once: true });
      this.#waiters.add(wake);
    });
  }
}
