/**
 * The buffers an engine's requests lend it (plugins/requests.ts Request.lend): a caller's buffer
 * too large for a request's slot, registered so that chains use it in place, reference-counted
 * so that concurrent requests on one buffer share one registration, and kept registered for a
 * short lease after its last request.
 */
import type { Engine } from '../engine/engine.js';
import type { Region } from '../engine/memory.js';

/**
 * Buffers kept registered once their last request has ended, most recently used last. Each
 * registration changes the engine's region table, which every cachemiss thread mirrors before its
 * next chain (engine/memory.ts sync): at QD1 with one 256 KiB buffer that was a register and an
 * unregister per write on the calling thread, and a table reload per write on the threads that
 * made the pwrite (fsbench30). A few, so that a handful of lanes each with its own buffer keep
 * theirs; the least recently used beyond that is unregistered at once.
 */
const LEASES = 4;
/**
 * How long an unused lease lasts (between this and twice this): a lent buffer is a caller's, which
 * Node would not keep alive after the call; the lease keeps it reachable only that long. A lent
 * buffer is already marked untransferable for good (engine/memory.ts keepAttached), so the lease
 * changes nothing else a caller can see.
 */
const LEASE_MS = 100;

/** A lent buffer's registration and the requests using it (0: only leased). */
interface Lent {
  readonly region: Region;
  count: number;
  /** Made by the library for a result it hands out (never leased: its owner may transfer it). */
  readonly fresh: boolean;
  /** Lent again since the lease timer last looked. */
  touched: boolean;
}

/** One engine's lent buffers. */
export class LentBuffers {
  readonly engine: Engine;
  readonly #lent = new Map<ArrayBufferLike, Lent>();
  /** The backings of {@link #lent} no request uses, kept registered; least recently used first. */
  readonly #leased = new Set<ArrayBufferLike>();
  #leaseTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(engine: Engine) {
    this.engine = engine;
  }

  /**
   * lend - register `view`'s backing for a request (or count one more request on it).
   *
   * @param fresh - a buffer the library made for the request's result (engine/memory.ts registerBuffer).
   * @returns its region.
   */
  lend(view: ArrayBufferView, fresh = false): Region {
    const backing = view.buffer;
    const known = this.#lent.get(backing);
    if (known !== undefined) {
      if (known.count++ === 0) this.#leased.delete(backing);
      known.touched = true;
      return known.region;
    }
    // A buffer the caller registered itself stays theirs: use it, never unregister it.
    const own = this.engine.memory.regionOfBuffer(view);
    if (own !== null) return own;
    const region = this.engine.memory.registerBuffer(view, 'registered', fresh);
    this.#lent.set(backing, { region, count: 1, fresh, touched: true });
    return region;
  }

  /**
   * unlend - a request using `view` has ended; the last one leases the registration (or drops it:
   * a fresh buffer, or the engine closing).
   */
  unlend(view: ArrayBufferView, closed: boolean): void {
    const backing = view.buffer;
    const known = this.#lent.get(backing);
    if (known === undefined || --known.count > 0) return;
    if (known.fresh || closed) {
      this.#drop(backing);
      return;
    }
    this.#leased.add(backing);
    if (this.#leased.size > LEASES) {
      const oldest = this.#leased.values().next().value as ArrayBufferLike;
      this.#leased.delete(oldest);
      this.#drop(oldest);
    }
    if (this.#leaseTimer === null) this.#armLeases();
  }

  /** Unregister a lent buffer no request uses. */
  #drop(backing: ArrayBufferLike): void {
    this.#lent.delete(backing);
    // Only called once the requests' chains have ended: nothing can still write into it.
    this.engine.unregister(backing, true);
  }

  #armLeases(): void {
    this.#leaseTimer = setTimeout(this.#expireLeases, LEASE_MS);
    // A lease never keeps the process alive.
    this.#leaseTimer.unref();
  }

  /** The lease timer: unregister the leased buffers not lent again since it last looked. */
  readonly #expireLeases = (): void => {
    this.#leaseTimer = null;
    for (const backing of this.#leased) {
      const known = this.#lent.get(backing) as Lent;
      if (known.touched) {
        known.touched = false;
        continue;
      }
      this.#leased.delete(backing);
      this.#drop(backing);
    }
    if (this.#leased.size > 0) this.#armLeases();
  };

  /** release - the engine is closing: unregister every lent buffer. */
  release(): void {
    if (this.#leaseTimer !== null) clearTimeout(this.#leaseTimer);
    this.#leaseTimer = null;
    this.#leased.clear();
    for (const backing of [...this.#lent.keys()]) this.engine.unregister(backing, true);
    this.#lent.clear();
  }
}
