/**
 * Registration of caller buffers given as aio_buf. Chains may only touch engine memory or
 * registered ranges, so a Buffer's bytes must be registered while a request uses them — exactly
 * its bytes, never the rest of its backing store: small Buffers (`Buffer.from`, `allocUnsafe`)
 * share Node's 8 KiB pool with unrelated Buffers, and registering the pool would let a raw
 * aio_buf address that was never given to the library reach them.
 *
 * Registration lasts while a request uses the range, not the aiocb's life: throwaway aiocbs with
 * fresh Buffers would otherwise fill the engine's region table long before the garbage collector
 * runs. A few idle ranges are kept (most programs reuse their buffers), the least recently used
 * dropped first. The hot path (a reused Buffer, one request at a time) touches no collection: a
 * range stays in the idle list while a request uses it, and the list is put in order only when
 * one must go (see {@link dropBuffer}).
 * Ranges of one backing store that overlap (a Buffer and a subarray of it, both in flight) are
 * merged into one region covering both — bytes that were all given to the library.
 */
import type { Region } from '../engine/memory.js';
import { addressOf } from '../engine/native/index.js';
import { aioEngine } from './context.js';
import { types } from 'node:util';
import { BOUNCE_MAX_BYTES, takeBounceSlot, type BounceSlot } from './bounce-slots.js';

// The intrinsic view getters: on a Buffer the properties were generic loads in V8's optimised
// submission (engine/view-getters.ts).
import { typedArrayByteLength, typedArrayByteOffset } from '../engine/view-getters.js';

/**
 * How many ranges with no request in flight stay registered. Every registration change
 * republishes the region table and makes each cachemiss thread re-read it, so churn is costly:
 * with 64, a load of a few hundred buffers ran 3x slower than with 1024. A quarter of the table.
 */
export const IDLE_REGISTRATIONS = 1024;

/** The bytes of one view given as aio_buf: what a request on it needs registered. */
export interface BufferRegistration {
  readonly backing: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Whether the view is a DataView (else a typed array): which intrinsic getters read it. */
  readonly isDataView: boolean;
  /** The address of the view's first byte. */
  readonly address: number;
  /** The range the last request on this view held (checked before use: it may have been merged or evicted since). */
  range: HeldRange | null;
  /** The bounce slot whose engine memory the request uses instead of the view (nothing to hold), or null. */
  readonly slot: BounceSlot | null;
}

/** One registered range of a backing store, owned by this module. */
export interface HeldRange {
  readonly backing: ArrayBufferLike;
  /** [start, end) as offsets in the backing store. */
  readonly start: number;
  readonly end: number;
  readonly region: Region;
  /** Requests queued or in flight on it. */
  users: number;
  /** The wider range this one was merged into (then it is no longer registered itself). */
  mergedInto: HeldRange | null;
  /** When its last user ended (a tick of {@link idleClock}). */
  idleSince: number;
  /** The tick it had when it was put at the end of {@link idle}; -1 while it is not in the list. */
  listedAt: number;
  /** Unregistered for good (evicted): a registration's cached range must not be used again. */
  released: boolean;
}

// Per backing store, the disjoint ranges registered for it.
const rangesByBacking = new WeakMap<ArrayBufferLike, HeldRange[]>();
// The regions this module registered (a region found by address is ours, or the caller's).
const ours = new WeakSet<Region>();
// Ranges that were idle when listed, in the order they were listed. A range stays listed while a
// request uses it again and when it becomes idle again (only `idleSince` moves): moving it to the
// end on every request — a Set delete and add per request — cost more than the rest of the
// registration check. dropBuffer sorts the list out lazily when a range must be evicted.
const idle = new Set<HeldRange>();
// Ranges with no user that are still registered (idle.size counts listed ones in use too).
let idleCount = 0;
let idleClock = 0;

// Per view, its registration, reused while the view still describes the same bytes: the Promise
// twins assign a lane's Buffer to whichever pooled aiocb is free, and taking the address (an FFI
// call) plus a new registration per request were a tenth of an aio.read's CPU.
const registrations = new WeakMap<ArrayBufferView, BufferRegistration>();

/**
 * What {@link registrations} holds for a view that has been through a bounce slot once (see
 * {@link transferRegistrationOf}): no offset matches it, so the view is registered the next
 * time — one WeakMap lookup for both questions. One per kind of view, as a DataView's offset is
 * read with a different getter.
 */
const SEEN_TYPED_ARRAY: BufferRegistration = { backing: new ArrayBuffer(0), byteOffset: -1, byteLength: -1, isDataView: false, address: 0, range: null, slot: null };
const SEEN_DATA_VIEW: BufferRegistration = { backing: new ArrayBuffer(0), byteOffset: -1, byteLength: -1, isDataView: true, address: 0, range: null, slot: null };

/**
 * registrationOf - what a request on `view` needs registered: exactly the view's bytes, and
 * their address.
 */
export function registrationOf(view: ArrayBufferView): BufferRegistration {
  const known = registrations.get(view);
  return known !== undefined && describesView(known, view) ? known : register(view);
}

/**
 * transferRegistrationOf - what a Promise twin's request on all of `view` is submitted with:
 * the view's registration, as {@link registrationOf}; or, for a view this module has not seen
 * before and of at most BOUNCE_MAX_BYTES, a bounce slot's (its `slot` set: the request reads into
 * or writes from the slot, and the caller copies — bounce-slots.ts), the view remembered as seen
 * so that it is registered if it comes again. One WeakMap lookup either way (a reused Buffer's
 * path is registrationOf's).
 *
 * @throws TypeError for a DataView whose store was detached (its byteLength getter throws).
 */
export function transferRegistrationOf(view: ArrayBufferView): BufferRegistration {
  const known = registrations.get(view);
  if (known !== undefined) return describesView(known, view) ? known : register(view);
  const isDataView = types.isDataView(view);
  const byteLength = isDataView ? view.byteLength : typedArrayByteLength.call(view);
  const slot = byteLength > 0 && byteLength <= BOUNCE_MAX_BYTES ? takeBounceSlot(byteLength) : null;
  if (slot === null) return register(view);
  registrations.set(view, isDataView ? SEEN_DATA_VIEW : SEEN_TYPED_ARRAY);
  return slot.registration;
}

/**
 * Whether a view's remembered registration still describes it. A detached store reads as length
 * 0 (offset 0), and a view of a resizable one may change length: then it is looked at afresh. Its
 * store is not compared: a view's ArrayBuffer is fixed for its life (and the `buffer` getter was a
 * call into C++, ~150 instructions per aio.read), and the first registration has already moved an
 * on-heap view's bytes off the heap. A SEEN mark (offset -1) describes no view.
 */
function describesView(known: BufferRegistration, view: ArrayBufferView): boolean {
  if (known.isDataView) return known.byteOffset === view.byteOffset && known.byteLength === view.byteLength;
  return known.byteOffset === typedArrayByteOffset.call(view) && known.byteLength === typedArrayByteLength.call(view);
}

function register(view: ArrayBufferView): BufferRegistration {
  const registration: BufferRegistration = { backing: view.buffer, byteOffset: view.byteOffset, byteLength: view.byteLength, isDataView: types.isDataView(view), address: addressOf(view), range: null, slot: null };
  registrations.set(view, registration);
  return registration;
}

function root(range: HeldRange): HeldRange {
  let at = range;
  while (at.mergedInto !== null) at = at.mergedInto;
  return at;
}

/**
 * holdBuffer - a request is about to use `length` bytes at `address`, inside the view
 * `registration` describes: make sure chains may touch the view's bytes.
 * @returns the range now held (give it back with {@link dropBuffer}); null when nothing needed
 *   holding (engine memory, or the caller's own registration of it); false when it cannot be
 *   registered (the engine's region table is full).
 */
export function holdBuffer(registration: BufferRegistration, address: number, length: number): HeldRange | null | false {
  if (registration.slot !== null) return null;
  const { backing, byteOffset } = registration;
  const start = byteOffset;
  const end = byteOffset + registration.byteLength;
  // The aiocb's buffer is usually the one its last request used: its range is still current
  // unless it was merged into a wider one or evicted (then look it up as below).
  const cached = registration.range;
  if (cached !== null && cached.mergedInto === null && !cached.released) return take(cached);
  const ranges = rangesByBacking.get(backing);
  if (ranges !== undefined) {
    for (const range of ranges) {
      if (range.start <= start && end <= range.end) {
        registration.range = range;
        return take(range);
      }
    }
  }
  const engine = aioEngine();
  // Engine memory, or this very buffer registered by the caller: usable as is, and not ours to
  // unregister. A caller's region of another buffer at this address is stale (that buffer's
  // memory was freed and reused): registering ours replaces it.
  const region = engine.memory.find(address, Math.max(1, length));
  if (region !== null && !ours.has(region) && (region.kind !== 'registered' || engine.memory.regionOfBuffer(backing) === region)) return null;
  // Ranges of this store that overlap the new one are merged with it: one region for all.
  let from = start;
  let to = end;
  let users = 1;
  const merged: HeldRange[] = [];
  for (const range of ranges ?? []) {
    if (range.start < to && from < range.end) {
      merged.push(range);
      from = Math.min(from, range.start);
      to = Math.max(to, range.end);
      users += range.users;
    }
  }
  let widened: Region;
  try {
    // Replaces the merged ranges' regions in one step: a chain using them never sees a gap.
    widened = engine.memory.registerRange(backing, from, to - from);
  } catch {
    return false;
  }
  ours.add(widened);
  const range: HeldRange = { backing, start: from, end: to, region: widened, users, mergedInto: null, idleSince: 0, listedAt: -1, released: false };
  const kept = (ranges ?? []).filter((other) => !merged.includes(other));
  for (const other of merged) {
    if (other.users === 0) idleCount--;
    other.mergedInto = range;
    unlist(other);
  }
  kept.push(range);
  rangesByBacking.set(backing, kept);
  registration.range = range;
  return range;
}

function take(range: HeldRange): HeldRange {
  if (range.users++ === 0) idleCount--;
  return range;
}

function unlist(range: HeldRange): void {
  if (range.listedAt < 0) return;
  idle.delete(range);
  range.listedAt = -1;
}

function list(range: HeldRange): void {
  range.listedAt = range.idleSince;
  idle.add(range);
}

/** dropBuffer - a request that held `held` has ended. */
export function dropBuffer(held: HeldRange): void {
  const range = root(held);
  if (--range.users > 0) return;
  range.idleSince = ++idleClock;
  idleCount++;
  if (range.listedAt < 0) list(range);
  if (idleCount > IDLE_REGISTRATIONS) evictLeastRecentlyUsed();
}

/**
 * Unregister the range idle for longest. The list is in listing order; a range used since it was
 * listed (its `idleSince` moved on) goes to the end with its new tick, one in use leaves the list
 * (its drop lists it again). The first range left at the head, idle and unused since it was
 * listed, was idle before every range behind it: the least recently used. Each range is moved at
 * most once per use, so this costs O(1) per request, amortised.
 */
function evictLeastRecentlyUsed(): void {
  // Ranges listed again during the walk are visited again, at most once more each.
  for (const range of idle) {
    const listedAt = range.listedAt;
    idle.delete(range);
    range.listedAt = -1;
    if (range.users > 0) continue;
    if (range.idleSince !== listedAt) {
      list(range);
      continue;
    }
    evict(range);
    return;
  }
}

function evict(range: HeldRange): void {
  idleCount--;
  range.released = true;
  const ranges = rangesByBacking.get(range.backing);
  if (ranges !== undefined) {
    const left = ranges.filter((other) => other !== range);
    if (left.length > 0) rangesByBacking.set(range.backing, left);
    else rangesByBacking.delete(range.backing);
  }
  // No request uses it (users is 0), and only requests' chains reach this range.
  aioEngine().memory.release(range.region);
}
