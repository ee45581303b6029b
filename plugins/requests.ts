/**
 * The one mechanism every path-taking request uses (the helpers here, syslet-aio/fs above):
 *
 * - a bounded **request window** per engine: at most `limit` requests hold engine memory at once;
 *   the rest wait in a FIFO queue, as requests wait for libuv's thread pool. A request that
 *   completes inline enters and leaves within one call, so a cached workload never queues; only
 *   requests whose chains went to cachemiss threads fill the window. `Promise.all` over 100,000
 *   files therefore holds `limit` slots, not 100,000.
 * - **slots**: two path buffers (PATH_MAX each) and a fixed data area, carved from 256 KiB slabs
 *   of engine memory and reused. A whole file is never reserved up front: a chain reads at most
 *   one data area, and a larger file goes into a Buffer sized from its fstat (see reader.ts).
 * - **lending**: a caller's buffer registered for the length of one request (reference-counted,
 *   so concurrent requests on the same buffer share one registration), and kept registered for a
 *   short **lease** after it (plugins/requests-lent.ts), so that a program writing one buffer again and
 *   again registers it once.
 * - everything is given back when the engine closes ({@link Engine.onClose}).
 */
import type { ChainListener, Engine } from '../engine/engine.js';
import type { Region } from '../engine/memory.js';
import { ESHUTDOWN } from '../engine/native/index.js';
import { PATH_BYTES } from './request-paths.js';
import type { Plugin, PluginInstance } from './plugin.js';
import { invalidArgType, outOfRange } from '../engine/arguments.js';
import { LentBuffers } from './requests-lent.js';

/**
 * Bytes of a slot's data area: what one chain reads or writes without lending the caller's
 * buffer (Node's own unknown-size read chunk is the same 64 KiB).
 */
export const SLOT_DATA_BYTES = 64 * 1024;
/** Requests per engine that may hold a slot at once, unless {@link setRequestWindow} says otherwise. */
export const DEFAULT_REQUEST_WINDOW = 128;
const PATHS_PER_SLOT = 2;
const SLOT_BYTES = PATHS_PER_SLOT * PATH_BYTES + SLOT_DATA_BYTES;
const SLAB_BYTES = 256 * 1024;
const SLOTS_PER_SLAB = Math.max(1, Math.floor(SLAB_BYTES / SLOT_BYTES));

/** One request's engine memory: two path buffers and a data area, plus its chain's completion. */
export class RequestSlot implements ChainListener {
  /** The two path buffers (C strings): Buffers, so that {@link putPath} can write a path without a view per call. */
  readonly paths: readonly [Buffer, Buffer];
  /** Their addresses. */
  readonly pathAddresses: readonly [number, number];
  /** The data area, {@link SLOT_DATA_BYTES} bytes (a Buffer over engine memory). */
  readonly data: Buffer;
  /** Its address. */
  readonly dataAddress: number;
  #done: ((stop: number) => void) | null = null;
  /** A stop that arrived before {@link expect} (the engine delivers completions later, but the slot does not rely on it). */
  #early = -1;

  constructor(region: Region, at: number) {
    const offset = at - region.start;
    const buffer = region.bytes.buffer;
    const base = region.bytes.byteOffset + offset;
    this.paths = [Buffer.from(buffer, base, PATH_BYTES), Buffer.from(buffer, base + PATH_BYTES, PATH_BYTES)];
    this.pathAddresses = [at, at + PATH_BYTES];
    this.data = Buffer.from(buffer, base + PATHS_PER_SLOT * PATH_BYTES, SLOT_DATA_BYTES);
    this.dataAddress = at + PATHS_PER_SLOT * PATH_BYTES;
  }

  /** ChainListener: the chain that was submitted with this slot ended on a cachemiss thread. */
  chainDone(_last: number, _result: number, _atoms: number, stop: number): void {
    const done = this.#done;
    this.#done = null;
    if (done === null) this.#early = stop;
    else done(stop);
  }

  /**
   * @internal Arm the completion callback of the chain just submitted (after Plugin.submit
   * returned 0, so that a chain completing inline costs no closure).
   */
  expect(done: (stop: number) => void): void {
    const early = this.#early;
    if (early >= 0) {
      this.#early = -1;
      done(early);
      return;
    }
    this.#done = done;
  }
}

/** An engine's window, queue, slot pool and lent buffers. */
class EngineRequests {
  readonly engine: Engine;
  limit = DEFAULT_REQUEST_WINDOW;
  active = 0;
  closed = false;
  readonly #queue: (() => void)[] = [];
  #head = 0;
  #draining = false;
  readonly #free: RequestSlot[] = [];
  readonly #slabs: Region[] = [];
  readonly #lent: LentBuffers;

  constructor(engine: Engine) {
    this.engine = engine;
    this.#lent = new LentBuffers(engine);
    engine.onClose(() => this.#release());
  }

  get waiting(): number {
    return this.#queue.length - this.#head;
  }

  get slabs(): number {
    return this.#slabs.length;
  }

  get freeSlots(): number {
    return this.#free.length;
  }

  /** Start `begin` now if the window has room (and nobody is queued ahead), else queue it. */
  enter(begin: () => void): void {
    if (this.active < this.limit && this.waiting === 0) {
      this.active++;
      begin();
      return;
    }
    this.#queue.push(begin);
  }

  /**
   * One request is over. Queued requests start here, in a loop rather than recursively: a
   * request that completes inline leaves again inside its `begin`, and a recursion would be as
   * deep as the queue is long.
   */
  leave(): void {
    this.active--;
    if (this.#draining) return;
    this.#draining = true;
    try {
      while (this.active < this.limit && this.waiting > 0) {
        const begin = this.#queue[this.#head] as () => void;
        this.#queue[this.#head++] = noop;
        if (this.#head > 1024 && this.#head * 2 > this.#queue.length) {
          this.#queue.splice(0, this.#head);
          this.#head = 0;
        }
        this.active++;
        begin();
      }
    } finally {
      this.#draining = false;
    }
    if (this.closed && this.active === 0) this.#freeSlabs();
  }

  take(): RequestSlot {
    const slot = this.#free.pop();
    if (slot !== undefined) return slot;
    const region = this.engine.alloc(SLOT_BYTES * SLOTS_PER_SLAB);
    this.#slabs.push(region);
    for (let i = 1; i < SLOTS_PER_SLAB; i++) this.#free.push(new RequestSlot(region, region.start + i * SLOT_BYTES));
    return new RequestSlot(region, region.start);
  }

  give(slot: RequestSlot): void {
    if (!this.closed) this.#free.push(slot);
  }

  lend(view: ArrayBufferView, fresh = false): Region {
    return this.#lent.lend(view, fresh);
  }

  unlend(view: ArrayBufferView): void {
    this.#lent.unlend(view, this.closed);
  }

  #release(): void {
    this.closed = true;
    this.#free.length = 0;
    this.#lent.release();
    // A request granted before the close may not have used its slot yet: a queued one is handed
    // its Request in the window's drain and resumes a microtask later, then writes its path into
    // the slot before its submission is refused. Freed now, that write went into released engine
    // memory (a segfault, or a corrupted malloc heap). The slabs go when the last request ends.
    if (this.active === 0) this.#freeSlabs();
  }

  #freeSlabs(): void {
    for (const slab of this.#slabs.splice(0)) this.engine.free(slab);
  }
}

const noop = (): void => {};
const byEngine = new WeakMap<Engine, EngineRequests>();

function requestsOf(engine: Engine): EngineRequests {
  let state = byEngine.get(engine);
  if (state === undefined) {
    state = new EngineRequests(engine);
    byEngine.set(engine, state);
  }
  return state;
}

/**
 * setRequestWindow - how many requests (path helpers and syslet-aio/fs calls) may hold engine
 * memory at once on `engine`; the rest wait in order. Default {@link DEFAULT_REQUEST_WINDOW}.
 *
 * @param limit - an integer from 1 to 65536.
 * @throws RangeError ERR_OUT_OF_RANGE for any other number; TypeError ERR_INVALID_ARG_TYPE for a non-number.
 * @example
 * ```ts
 * setRequestWindow(engine, 32); // a small machine: 32 × 72 KiB of slots at most
 * ```
 */
export function setRequestWindow(engine: Engine, limit: number): void {
  if (typeof limit !== 'number') throw invalidArgType('limit', 'of type number', limit);
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > 65536) throw outOfRange('limit', 'an integer >= 1 && <= 65536', limit);
  const state = requestsOf(engine);
  state.limit = limit;
  // A larger window lets queued requests start now.
  state.active++;
  state.leave();
}

/** What {@link requestStats} reports. */
export interface RequestStats {
  /** The window's size. */
  readonly limit: number;
  /** Requests holding a place in the window now. */
  readonly active: number;
  /** Requests queued behind the window. */
  readonly waiting: number;
  /** Slabs of slots allocated (each 256 KiB of engine memory). */
  readonly slabs: number;
  /** Slots ready for the next request. */
  readonly freeSlots: number;
}

/**
 * requestStats - the window and slot pool of `engine`: what tests use to see that memory stays
 * bounded and is reused, and that it is given back on close (slabs 0).
 */
export function requestStats(engine: Engine): RequestStats {
  const state = byEngine.get(engine);
  if (state === undefined) return { limit: DEFAULT_REQUEST_WINDOW, active: 0, waiting: 0, slabs: 0, freeSlots: 0 };
  return { limit: state.limit, active: state.active, waiting: state.waiting, slabs: state.slabs, freeSlots: state.freeSlots };
}

/**
 * A place in an engine's request window with its slot: take one with {@link beginRequest}, run
 * chains with {@link Request.run}, and {@link Request.end} it once no chain of it is running.
 */
export class Request {
  readonly #state: EngineRequests;
  /** The engine. */
  readonly engine: Engine;
  /** The request's engine memory. */
  readonly slot: RequestSlot;
  /** Buffers lent to this request's chains (null until the first: most requests lend none). */
  #lent: ArrayBufferView[] | null = null;
  #ended = false;

  /** @internal */
  constructor(state: EngineRequests, slot: RequestSlot) {
    this.#state = state;
    this.engine = state.engine;
    this.slot = slot;
  }

  /**
   * run - submit a filled instance of `plugin`.
   *
   * @param offRing - keep the chain off the io_uring engine (Engine.submit): what would block
   *   goes to a cachemiss thread, which goes on without this thread.
   * @returns a number when the chain needs no waiting: > 0 it completed inline, < 0 the engine
   *   refused it (-ESHUTDOWN, -EAGAIN...); otherwise a Promise that resolves with the stop reason
   *   once the chain has ended on a cachemiss thread.
   */
  run(plugin: Plugin, instance: PluginInstance, offRing = false): number | Promise<number> {
    const slot = this.slot;
    const submitted = plugin.submit(this.engine, instance, slot, offRing);
    if (submitted !== 0) return submitted;
    return new Promise<number>((resolve) => slot.expect(resolve));
  }

  /**
   * lend - let this request's chains use `view` in place (a caller's buffer too large to copy
   * through the slot). It stays registered until {@link end}.
   *
   * @param fresh - a buffer the library made for this request's result, given to no one before
   *   {@link end}: not marked untransferable (engine/memory.ts registerBuffer).
   * @returns the address of `view`'s first byte.
   */
  lend(view: ArrayBufferView, fresh = false): number {
    const region = this.#state.lend(view, fresh);
    (this.#lent ??= []).push(view);
    // A registered region covers the whole backing ArrayBuffer from its first byte.
    return region.start + view.byteOffset;
  }

  /** end - give the slot and lent buffers back and let the next queued request start. Idempotent. */
  end(): void {
    if (this.#ended) return;
    this.#ended = true;
    const lent = this.#lent;
    if (lent !== null) {
      this.#lent = null;
      for (const view of lent) this.#state.unlend(view);
    }
    this.#state.give(this.slot);
    this.#state.leave();
  }
}

/**
 * beginRequest - take a place in `engine`'s request window and a slot.
 *
 * @returns the request at once when the window has room, else a Promise of it (queued in order).
 * @throws Error with code `ESHUTDOWN` (rejects) when the engine is closed.
 */
export function beginRequest(engine: Engine): Request | Promise<Request> {
  const state = requestsOf(engine);
  if (state.closed) return Promise.reject(shutDown());
  if (state.active < state.limit && state.waiting === 0) {
    state.active++;
    return new Request(state, state.take());
  }
  return new Promise((resolve, reject) => {
    state.enter(() => {
      if (state.closed) {
        state.leave();
        reject(shutDown());
        return;
      }
      resolve(new Request(state, state.take()));
    });
  });
}

/**
 * withRequest - run `begin` with a request as soon as the window has room: at once
 * (synchronously) when it has, else when an earlier request ends. The callback form of
 * {@link beginRequest}, for callers that settle one Promise per call.
 */
export function withRequest(engine: Engine, begin: (request: Request | null, error: Error | null) => void): void {
  const state = requestsOf(engine);
  if (state.closed) {
    begin(null, shutDown());
    return;
  }
  state.enter(() => {
    if (state.closed) {
      state.leave();
      begin(null, shutDown());
      return;
    }
    begin(new Request(state, state.take()), null);
  });
}

function shutDown(): Error {
  return Object.assign(new Error('ESHUTDOWN: engine closed'), { code: 'ESHUTDOWN', errno: -ESHUTDOWN });
}
