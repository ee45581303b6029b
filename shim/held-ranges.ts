/**
 * The ranges of caller buffers (aio_buf) held registered while requests use them. Chains may
 * only touch engine memory or registered ranges, so a Buffer's bytes must be registered while a request uses them — exactly
 * its bytes, never the rest of its backing store: small Buffers (`Buffer.from`, `allocUnsafe`)
 * share Node's 8 KiB pool with unrelated Buffers, and registering the pool would let a raw
 * aio_buf address that was never given to the library reach them.
 *
 * Registration lasts while a request uses the range, not the aiocb's life: throwaway aiocbs with
 * fresh Buffers would otherwise fill the engine's region table long before the garbage collector
 * runs. A few idle ranges are kept (most programs reuse their buffers; one used by a single
 * request so far only briefly), the least recently used dropped first, a batch at a time. The hot
 * path (a reused Buffer, one request at a time) touches no collection: a range stays in the idle
 * list while a request uses it, and the list is put in order only when one must go (see
 * {@link dropBuffer}).
 * Ranges of one backing store that overlap (a Buffer and a subarray of it, both in flight), or
 * touch while both are in use (views side by side), are merged into one region covering both —
 * bytes that were all given to the library.
 */
import { MAX_REGIONS, type Region } from '../engine/memory.js';
import { aioEngine } from './context.js';

/**
 * How many ranges used more than once stay registered with no request in flight. Registering a
 * range again costs about what a new buffer does (an address, a region, and a share of a batch
 * release that makes the engine forget what it remembered about every region): with 64, a load
 * of a few hundred buffers ran 3x slower than with 1024 (when every change also republished the
 * whole table). A quarter of the table.
 */
export const IDLE_REGISTRATIONS = 1024;

/**
 * How many idle ranges go at once when there are more than IDLE_REGISTRATIONS: what the engine
 * remembers about regions (found ranges, decoded atoms, passed checks) is forgotten whenever one
 * goes, and a program with a new buffer per request evicting one per request paid for that on
 * every request.
 */
export const EVICTION_BATCH = 64;

/**
 * How many ranges used by one request only stay registered while idle (a second request on one
 * moves it among the IDLE_REGISTRATIONS), and how many of them go at once past that.
 */
export const PROBATION_REGISTRATIONS = 64;
export const PROBATION_BATCH = 32;

/**
 * Regions of the engine's table that held buffers never take: what `new Aiocb`, the request
 * engine's instance slabs and the bounce slots allocate. With buffers allowed the whole table, a
 * program that makes its aiocbs as it submits (`new Aiocb` then `aio_read`, tens of thousands of
 * fresh Buffers) found the table full of held buffers when it needed the next aiocb slab, and
 * `new Aiocb` threw ENOMEM: a request can wait for room, a constructor cannot. 256 slabs of
 * aiocbs are about a million of them. Counted on the held ranges themselves (idle ones too), not
 * on the table: a table that others filled still gives a held buffer the slot an idle one frees.
 */
export const CONTROL_REGIONS = 256;
const HELD_REGIONS_MOST = MAX_REGIONS - CONTROL_REGIONS;

/**
 * What holdBuffer needs of a view's registration (view-registrations.ts's BufferRegistration,
 * which this module does not import: no cycle).
 */
export interface RangeHolder {
  readonly backing: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** The address of the view's first byte. */
  readonly address: number;
  /** The range the last request on this view held (checked before use). */
  range: HeldRange | null;
  /** A bounce slot (engine memory: nothing to hold), or null. */
  readonly slot: object | null;
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
  /** How many requests have held it (a range used once waits in {@link probation}). */
  uses: number;
  /** When its last user ended (a tick of {@link idleClock}). */
  idleSince: number;
  /**
   * The idle list that last counted it (null: none yet); it counts it now only while `counted`.
   * Kept while a user holds the range, so that the range's next drop, to the same list, stores
   * no pointer (a write barrier's call per request).
   */
  idleIn: IdleList | null;
  /** Whether `idleIn` counts it now (it has no user). */
  counted: boolean;
  /** The list it is in, and the tick it had when it was put at the list's end (-1 while in none). */
  listedIn: IdleList | null;
  listedAt: number;
  /** Unregistered for good (evicted): a registration's cached range must not be used again. */
  released: boolean;
}

// The ranges this module registered, by their region's id (a region found by address is ours,
// or the caller's). Disjoint, as the engine's regions are.
const ours = new Map<number, HeldRange>();
/**
 * Ranges that were idle when listed, in the order they were listed. A range stays listed while a
 * request uses it again and when it becomes idle again (only `idleSince` moves): moving it to the
 * end on every request — a Set delete and add per request — cost more than the rest of the
 * registration check. dropBuffer sorts the list out lazily when a range must be evicted.
 */
interface IdleList {
  readonly ranges: Set<HeldRange>;
  /** Ranges it counts: registered, with no user (`ranges` also holds listed ones in use). */
  idle: number;
  /** How many may be idle; past that, `batch` of them go. */
  readonly limit: number;
  readonly batch: number;
}
// Ranges used more than once. A program that reuses its buffers keeps them registered here.
const kept: IdleList = { ranges: new Set(), idle: 0, limit: IDLE_REGISTRATIONS, batch: EVICTION_BATCH };
// Ranges used once so far: a program that gives a new buffer per request (a C port that mallocs
// each one) fills only this short list, so its buffers go while young. Kept among the 1,024, each
// lived through a thousand requests and a promotion to V8's old space: about half the
// instructions of such a request (callgrind, a new 4 KiB Buffer per aio_read, 96,235 -> 47,527).
const probation: IdleList = { ranges: new Set(), idle: 0, limit: PROBATION_REGISTRATIONS, batch: PROBATION_BATCH };
let idleClock = 0;

/**
 * The range `range` was merged into, if any (transitively), with the path compressed: views of
 * one store given one after another while the earlier ones are in flight grow one range by a
 * merge each, and each earlier request's range would otherwise be a longer walk from the root.
 */
function root(range: HeldRange): HeldRange {
  let top = range;
  while (top.mergedInto !== null) top = top.mergedInto;
  let at = range;
  while (at.mergedInto !== null && at.mergedInto !== top) {
    const next: HeldRange = at.mergedInto;
    at.mergedInto = top;
    at = next;
  }
  return top;
}

// Scratch for the regions around a new range (reused: a registration allocates no array).
const around: Region[] = [];

/**
 * holdBuffer - a request is about to use `length` bytes at `address`, inside the view
 * `registration` describes: make sure chains may touch the view's bytes.
 * @returns the range now held (give it back with {@link dropBuffer}); null when nothing needed
 *   holding (engine memory, or the caller's own registration of it); false when it cannot be
 *   registered (the engine's region table is full).
 */
export function holdBuffer(registration: RangeHolder, address: number, length: number): HeldRange | null | false {
  if (registration.slot !== null) return null;
  // The aiocb's buffer is usually the one its last request used: its range is still current
  // unless it was merged into a wider one or evicted (then look it up as below).
  const cached = registration.range;
  if (cached !== null && cached.mergedInto === null && !cached.released) return take(cached);
  const { backing, byteOffset, byteLength } = registration;
  const memory = aioEngine().memory;
  // The ranges this module holds are regions of the engine's table, which finds them by address
  // (no map per store: a WeakMap entry per new Buffer cost more than the rest of its registration).
  const viewAddress = registration.address;
  const holder = memory.find(viewAddress, byteLength);
  const held = holder === null ? undefined : ours.get(holder.id);
  if (held !== undefined && held.backing === backing) {
    registration.range = held;
    return take(held);
  }
  // Engine memory, or this very buffer registered by the caller: usable as is, and not ours to
  // unregister. A caller's region of another buffer at this address is stale (that buffer's
  // memory was freed and reused): registering ours replaces it.
  const region = memory.find(address, Math.max(1, length));
  if (region !== null && !ours.has(region.id) && (region.kind !== 'registered' || memory.regionOfBuffer(backing) === region)) return null;
  // Ranges of this store that overlap the new one are merged with it: one region for all. So are
  // those it only touches while a request uses them: views of one Buffer side by side, all in
  // flight at once, take one region instead of one each (the table has MAX_REGIONS). An idle
  // neighbour is left alone: a merge replaces a region, and every region replaced makes the
  // engine forget what it remembered about all of them (MemoryRegistry.version).
  const start = byteOffset;
  const end = byteOffset + byteLength;
  let from = start;
  let to = end;
  let users = 1;
  const merged: HeldRange[] = [];
  for (const near of memory.regionsAround(viewAddress, viewAddress + byteLength, around)) {
    const range = ours.get(near.id);
    if (range === undefined || range.backing !== backing) continue;
    if ((range.start < end && start < range.end) || range.users > 0) {
      merged.push(range);
      from = Math.min(from, range.start);
      to = Math.max(to, range.end);
      users += range.users;
    }
  }
  // A new region needs a slot of the table (a merge replaces regions, so it needs none): when the
  // table is full, idle ranges go first, and without any the request is refused here rather than
  // by a RangeError from the table (a thrown error's stack was most of the CPU of a burst of
  // requests waiting for room: 1 s of 4 for 20,000).
  while (merged.length === 0 && (memory.size >= MAX_REGIONS || ours.size >= HELD_REGIONS_MOST)) {
    if (!evictIdleRanges()) return false;
  }
  let widened: Region;
  try {
    // Replaces the merged ranges' regions in one step: a chain using them never sees a gap.
    widened = memory.registerRangeAt(backing, from, to - from, viewAddress - byteOffset);
  } catch {
    // The region table is full. Ranges kept while idle hold slots of it too (up to 1,088): let
    // them go before refusing a request, then look again from the start (a range merged above
    // may have been among them).
    return evictIdleRanges() ? holdBuffer(registration, address, length) : false;
  }
  const range: HeldRange = { backing, start: from, end: to, region: widened, users, mergedInto: null, uses: 1, idleSince: 0, idleIn: null, counted: false, listedIn: null, listedAt: -1, released: false };
  ours.set(widened.id, range);
  for (const other of merged) {
    uncount(other);
    other.mergedInto = range;
    ours.delete(other.region.id);
    unlist(other);
  }
  registration.range = range;
  return range;
}

function take(range: HeldRange): HeldRange {
  if (range.users++ === 0) uncount(range);
  range.uses++;
  return range;
}

/** The range is in use (or merged, or evicted): no idle list counts it. */
function uncount(range: HeldRange): void {
  const list = range.idleIn;
  if (!range.counted || list === null) return;
  list.idle--;
  range.counted = false;
}

function unlist(range: HeldRange): void {
  const list = range.listedIn;
  if (list === null) return;
  list.ranges.delete(range);
  range.listedIn = null;
  range.listedAt = -1;
}

function listIn(list: IdleList, range: HeldRange): void {
  range.listedIn = list;
  range.listedAt = range.idleSince;
  list.ranges.add(range);
}

/** dropBuffer - a request that held `held` has ended. */
export function dropBuffer(held: HeldRange): void {
  const range = root(held);
  if (--range.users > 0) return;
  range.idleSince = ++idleClock;
  const list = range.uses > 1 ? kept : probation;
  if (range.idleIn !== list) range.idleIn = list;
  range.counted = true;
  list.idle++;
  if (range.listedIn !== list) {
    unlist(range);
    listIn(list, range);
  }
  if (list.idle > list.limit) evictLeastRecentlyUsed(list);
}

/**
 * Unregister the `batch` ranges of `list` idle for longest, in one change of the region table
 * (each change makes the engine forget what it remembered about every region: one per batch
 * instead of one per request of a program that gives a new buffer every time). The list is in
 * listing order; a range used since it was listed (its `idleSince` moved on) goes to the end with
 * its new tick, one in use or counted by the other list leaves it (its drop lists it again). The
 * first range left at the head, idle and unused since it was listed, was idle before every range
 * behind it: the least recently used. Each range is moved at most once per use, so this costs
 * O(1) per request, amortised.
 */
function evictLeastRecentlyUsed(list: IdleList): void {
  const going: HeldRange[] = [];
  // Ranges listed again during the walk are visited again, at most once more each.
  for (const range of list.ranges) {
    if (going.length >= list.batch) break;
    const listedAt = range.listedAt;
    unlist(range);
    if (range.users > 0 || !range.counted || range.idleIn !== list) continue;
    if (range.idleSince !== listedAt) {
      listIn(list, range);
      continue;
    }
    going.push(range);
  }
  if (going.length === 0) return;
  for (const range of going) forget(range);
  // No request uses them (users is 0), and only requests' chains reach these ranges.
  aioEngine().memory.releaseRanges(going.map((range) => range.region));
}

/**
 * evictIdleRanges - let a batch of idle ranges go, those used once first: what a request whose
 * buffer, or whose plugin instance's slab, finds the region table full frees before it is refused.
 * @returns whether any range went.
 */
export function evictIdleRanges(): boolean {
  const before = probation.idle + kept.idle;
  if (probation.idle > 0) evictLeastRecentlyUsed(probation);
  else if (kept.idle > 0) evictLeastRecentlyUsed(kept);
  return probation.idle + kept.idle < before;
}

/** Takes an evicted range out of this module's books (its region is released by the caller). */
function forget(range: HeldRange): void {
  uncount(range);
  range.released = true;
  ours.delete(range.region.id);
}
