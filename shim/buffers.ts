/**
 * Registration of caller buffers given as aio_buf. Chains may only touch engine memory or
 * registered ranges, so a Buffer's bytes must be registered while a request uses them — exactly
 * its bytes, never the rest of its backing store: small Buffers (`Buffer.from`, `allocUnsafe`)
 * share Node's 8 KiB pool with unrelated Buffers, and registering the pool would let a raw
 * aio_buf address that was never given to the library reach them.
 *
 * Registration lasts while a request uses the range, not the aiocb's life: throwaway aiocbs with
 * fresh Buffers would otherwise fill the engine's region table long before the garbage collector
 * runs. A few idle ranges are kept (most programs reuse their buffers), the oldest dropped first.
 * Ranges of one backing store that overlap (a Buffer and a subarray of it, both in flight) are
 * merged into one region covering both — bytes that were all given to the library.
 */
import type { Region } from '../engine/memory.js';
import { aioEngine } from './context.js';

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
}

// Per backing store, the disjoint ranges registered for it.
const rangesByBacking = new WeakMap<ArrayBufferLike, HeldRange[]>();
// The regions this module registered (a region found by address is ours, or the caller's).
const ours = new WeakSet<Region>();
// Insertion order is age: the first entry is the oldest idle range.
const idle = new Set<HeldRange>();

/** registrationOf - what a request on `view` needs registered: exactly the view's bytes. */
export function registrationOf(view: ArrayBufferView): BufferRegistration {
  return { backing: view.buffer, byteOffset: view.byteOffset, byteLength: view.byteLength };
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
  const { backing, byteOffset } = registration;
  const start = byteOffset;
  const end = byteOffset + registration.byteLength;
  const ranges = rangesByBacking.get(backing);
  if (ranges !== undefined) {
    for (const range of ranges) {
      if (range.start <= start && end <= range.end) return take(range);
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
  const range: HeldRange = { backing, start: from, end: to, region: widened, users, mergedInto: null };
  const kept = (ranges ?? []).filter((other) => !merged.includes(other));
  for (const other of merged) {
    other.mergedInto = range;
    idle.delete(other);
  }
  kept.push(range);
  rangesByBacking.set(backing, kept);
  return range;
}

function take(range: HeldRange): HeldRange {
  range.users++;
  idle.delete(range);
  return range;
}

/** dropBuffer - a request that held `held` has ended. */
export function dropBuffer(held: HeldRange): void {
  const range = root(held);
  if (--range.users > 0) return;
  idle.add(range);
  if (idle.size <= IDLE_REGISTRATIONS) return;
  const oldest = idle.values().next().value as HeldRange;
  idle.delete(oldest);
  const ranges = rangesByBacking.get(oldest.backing);
  if (ranges !== undefined) {
    const left = ranges.filter((other) => other !== oldest);
    if (left.length > 0) rangesByBacking.set(oldest.backing, left);
    else rangesByBacking.delete(oldest.backing);
  }
  // No request uses it (users is 0), and only requests' chains reach this range.
  aioEngine().memory.release(oldest.region);
}
