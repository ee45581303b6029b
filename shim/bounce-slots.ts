/**
 * Bounce slots. A view the Promise twins have not seen before (`aio.read(fd, Buffer.alloc(4096),
 * 0)` in a loop, as the README does) is read into a slot of engine memory and copied out when the
 * request completes, or copied into one when it is submitted (a write), instead of being
 * registered: a registration per fresh Buffer — its address taken through the FFI, a region
 * inserted in and removed from the engine's sorted table and republished for the cachemiss
 * threads, and 1,024 idle registrations keeping old Buffers alive for the garbage collector — was
 * 25-40 µs of CPU per call against 4.5 µs for a reused Buffer. Which views bounce is decided in
 * view-registrations.ts (a view seen again is registered as before: a copy per request would cost a program
 * that reuses its buffers).
 *
 * Two sizes, each a bounded pool of slots carved from slabs allocated on first use: the region
 * table gains a slab, never a region per request, and the memory is bounded (at most 8 slabs of
 * 16 x 4 KiB and 8 of 64 KiB: 1.5 MiB). A slab is split into segments of one slot each, so a
 * request's range can never run from its slot into the next. When every slot of a size is taken,
 * the caller registers the view as before.
 */
import type { Region } from '../engine/memory.js';
import { viewBytes } from '../engine/view-getters.js';
import { aioEngine } from './context.js';
import type { PooledAiocb } from './types.js';

const BOUNCE_SIZES = [
  { slotBytes: 4096, slotsPerSlab: 16, maxSlabs: 8 },
  { slotBytes: 65536, slotsPerSlab: 1, maxSlabs: 8 },
] as const;
/** The largest view that goes through a bounce slot: the large slots' size. */
export const BOUNCE_MAX_BYTES = BOUNCE_SIZES[1].slotBytes;

/**
 * What a bounced request is submitted with: a view registration's shape (view-registrations.ts's
 * BufferRegistration, which this module does not import: no cycle), its bytes the slot's.
 */
export interface SlotRegistration {
  readonly backing: ArrayBufferLike;
  readonly byteOffset: number;
  /** The request's length (set per request). */
  byteLength: number;
  readonly isDataView: boolean;
  /** The slot's address. */
  readonly address: number;
  readonly range: null;
  readonly slot: BounceSlot;
  /** As BufferRegistration's: the pooled aiocb that last served this slot (promise-pool.ts). */
  pooledAiocb: PooledAiocb | null;
}

/** A slot of engine memory one request's bytes go through (view-registrations.ts decides which requests: transferRegistrationOf). */
export interface BounceSlot {
  /** What the request is submitted with: the slot's address, and the view's length (set per request). */
  readonly registration: SlotRegistration;
  /** The slot's bytes (engine memory). */
  readonly bytes: Uint8Array;
  /** The pool it goes back to. */
  readonly pool: BouncePool;
}

/** The slots of one size: the free ones, and the slabs they were carved from. */
class BouncePool {
  readonly free: BounceSlot[] = [];
  readonly slabs: Region[] = [];
  /** Slots taken and not given back: a closing engine's slabs are freed when it is 0. */
  taken = 0;
  closed = false;

  constructor(
    readonly slotBytes: number,
    readonly slotsPerSlab: number,
    readonly maxSlabs: number,
  ) {}

  take(): BounceSlot | null {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.closed || this.slabs.length >= this.maxSlabs) return null;
      const engine = aioEngine();
      let slab: Region;
      try {
        slab = engine.alloc(this.slotBytes * this.slotsPerSlab, { period: this.slotBytes, starts: [] });
      } catch {
        // The region table is full: the view is registered instead (which refuses with EAGAIN).
        return null;
      }
      if (this.slabs.length === 0) engine.onClose(() => this.#close());
      this.slabs.push(slab);
      for (let i = this.slotsPerSlab - 1; i >= 0; i--) this.free.push(slotOf(this, slab, i * this.slotBytes));
      slot = this.free.pop();
      if (slot === undefined) return null;
    }
    this.taken++;
    return slot;
  }

  give(slot: BounceSlot): void {
    this.taken--;
    if (!this.closed) this.free.push(slot);
    else if (this.taken === 0) this.#freeSlabs();
  }

  #close(): void {
    this.closed = true;
    this.free.length = 0;
    // A slot still out is copied from when its request settles: the slabs go with the last one.
    if (this.taken === 0) this.#freeSlabs();
  }

  #freeSlabs(): void {
    const engine = aioEngine();
    for (const slab of this.slabs.splice(0)) engine.free(slab);
  }
}

function slotOf(pool: BouncePool, slab: Region, offset: number): BounceSlot {
  const bytes = new Uint8Array(slab.bytes.buffer, slab.bytes.byteOffset + offset, pool.slotBytes);
  // The same shape as a view's registration (slot last): submitView's loads stay monomorphic.
  const registration = { backing: bytes.buffer, byteOffset: bytes.byteOffset, byteLength: 0, isDataView: false, address: slab.start + offset, range: null, slot: null as unknown as BounceSlot, pooledAiocb: null as PooledAiocb | null };
  const slot: BounceSlot = { registration, bytes, pool };
  registration.slot = slot;
  return slot;
}

const bouncePools = BOUNCE_SIZES.map(({ slotBytes, slotsPerSlab, maxSlabs }) => new BouncePool(slotBytes, slotsPerSlab, maxSlabs));
const smallSlots = bouncePools[0] as BouncePool;
const largeSlots = bouncePools[1] as BouncePool;

/**
 * takeBounceSlot - a free slot for a request of `byteLength` bytes (1 to {@link BOUNCE_MAX_BYTES}),
 * its registration set to that length; null when every slot of that size is taken (or the region
 * table has no room for a new slab). Give it back with {@link giveBounceSlot}.
 */
export function takeBounceSlot(byteLength: number): BounceSlot | null {
  const slot = (byteLength <= smallSlots.slotBytes ? smallSlots : largeSlots).take();
  if (slot !== null) slot.registration.byteLength = byteLength;
  return slot;
}

/**
 * copyIntoBounceSlot - a write's bytes, copied into its slot at submission (the chain runs now,
 * or — queued behind a serial request on its fd — later, from this copy).
 */
export function copyIntoBounceSlot(slot: BounceSlot, view: ArrayBufferView): void {
  // (Its bytes by the intrinsic getters: a view's own buffer/byteOffset properties may lie.)
  slot.bytes.set(viewBytes(view).subarray(0, slot.registration.byteLength));
}

/**
 * copyOutOfBounceSlot - a read's `count` bytes, copied from its slot into the caller's view
 * before its Promise settles: no more than the view holds now (a view of a resizable store may
 * have shrunk, and a detached one holds nothing: memory it no longer owns is never written).
 */
function copyOutOfBounceSlot(slot: BounceSlot, view: ArrayBufferView, count: number): void {
  let target: Uint8Array;
  try {
    // What the view really holds (the intrinsic getters: its own properties may lie).
    target = viewBytes(view);
  } catch {
    return; // a detached DataView
  }
  const n = Math.min(count, target.length, slot.registration.byteLength);
  if (n <= 0) return;
  const bytes = slot.bytes;
  target.set(n === bytes.length ? bytes : bytes.subarray(0, n));
}

/**
 * finishBounce - the request that took `slot` has ended (its chain can no longer touch the slot):
 * a read that succeeded (`view` given, `error` 0) has its `count` bytes copied into the caller's
 * view before its Promise settles; the slot goes back.
 */
export function finishBounce(slot: BounceSlot, view: ArrayBufferView | null, error: number, count: number): void {
  if (error === 0 && view !== null && count > 0) copyOutOfBounceSlot(slot, view, count);
  giveBounceSlot(slot);
}

/** giveBounceSlot - the request that took `slot` has ended: its chain can no longer touch it. */
export function giveBounceSlot(slot: BounceSlot): void {
  slot.pool.give(slot);
}

/** @internal bounceSlotsInUse - slots taken and not yet given back, over both sizes (for tests: a settled request holds none). */
export function bounceSlotsInUse(): number {
  let taken = 0;
  for (const pool of bouncePools) taken += pool.taken;
  return taken;
}
