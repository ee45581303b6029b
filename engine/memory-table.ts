/**
 * The table of memory regions one thread can see (split from engine/memory.ts by job): adding a
 * region (replacing stale caller registrations it overlaps), taking one out, and finding the one
 * that holds an address range — the confinement check every dereference makes. The main thread
 * writes it; cachemiss threads mirror it through a SharedArrayBuffer table (start, length, id per
 * slot, plus a generation counter: engine/memory-shared.ts) and make their own zero-copy views of
 * the same native memory when the generation moves. A region keeps one slot for its life, and
 * lookups go through an address index in typed arrays (engine/memory-index.ts), so adding or
 * removing one costs a binary search, a memmove and one slot written, whatever the number of
 * regions. What may come in and when it may go (callers' buffers, engine allocations, deferred
 * release) is engine/memory.ts's MemoryRegistry, which extends this table.
 */
import { offsetInPeriod, segmentEndWithin, SegmentTable, type SegmentSpec } from './segments.js';
import { SysletError } from './errors.js';
import type { Region, RegionKind, SharedRegionTable } from './region.js';
import { RangeAnswers } from './memory-answers.js';
import { RecentHits } from './memory-hits.js';
import { RegionSlots } from './memory-slots.js';
import { SharedSlots, SLOT_FIELDS } from './memory-shared.js';
import { MirroredRegion } from './memory-mirror.js';

/** Float64 words the shared table keeps for segment descriptors ([period, count, ...starts] each). */
const SEGMENT_WORDS = 1 << 15;

/** How many regions may exist at once (each slot is four float64 in the shared table). */
export const MAX_REGIONS = 4096;

/** The regions one thread can see, with a fast lookup (MemoryRegistry adds what may come and go). */
export class RegionTable {
  // The regions, each in the slot its id names, and their address index (memory-slots.ts).
  readonly #slots = new RegionSlots(MAX_REGIONS);
  // Scratch for add's and regionsAround's overlapped regions (reused: no array per registration).
  readonly #overlapped: Region[] = [];
  readonly #overlappedSlots: number[] = [];
  // The regions found last, tried before the index (memory-hits.ts).
  readonly #hits = new RecentHits();
  // In front of all of that: the last answer per range (memory-answers.ts), cleared with the
  // hits whenever a region goes.
  readonly #answers = new RangeAnswers();
  // Bumped whenever a region goes (or a mirror reloads its table): a region found before is
  // still the answer while it has not moved (see {@link version}).
  #version = 0;
  readonly #shared: SharedSlots;
  readonly #buffer: SharedArrayBuffer;
  readonly #segments: SegmentTable;
  // Registered buffers by their backing store: registering the same buffer again is one lookup.
  readonly #byBacking = new WeakMap<object, Region>();
  // A mirror's copy of the shared slots (null on the main thread), and the generation it copied.
  readonly #snapshot: Float64Array | null;
  #seenGeneration = -1;
  // Regions that must not be released while something keeps using them (the registered ring), by id.
  readonly #pinned = new Map<number, string>();

  /** @internal Creates the main thread's registry, or (with `shared`) a cachemiss thread's mirror of it. */
  constructor(shared?: SharedRegionTable) {
    const buffer = shared?.buffer ?? new SharedArrayBuffer(8 + MAX_REGIONS * SLOT_FIELDS * 8 + SEGMENT_WORDS * 8);
    this.#buffer = buffer;
    this.#shared = new SharedSlots(buffer, MAX_REGIONS);
    this.#segments = new SegmentTable(new Float64Array(buffer, 8 + MAX_REGIONS * SLOT_FIELDS * 8, SEGMENT_WORDS));
    this.#snapshot = shared === undefined ? null : new Float64Array(MAX_REGIONS * SLOT_FIELDS);
  }

  /** @internal The table to hand to cachemiss threads. */
  get shared(): SharedRegionTable {
    return { buffer: this.#buffer };
  }

  /** How many regions are registered. */
  get size(): number {
    return this.#slots.count;
  }

  /**
   * version - a counter that moves whenever a region goes from this registry (released,
   * unregistered, replaced, or a mirror's table reloaded). Adding a region never changes which
   * region holds a range that already had one, so an answer {@link find} gave stays the answer
   * while the version has not moved: what a cache of found regions checks before it is used
   * (the executor's decoded atoms, engine/atom-decode.ts).
   */
  get version(): number {
    return this.#version;
  }

  /**
   * find - the region holding all of [address, address + length), or null.
   * This is the confinement check; it runs for every dereference, so the last hit is cached.
   */
  find(address: number, length: number): Region | null {
    // NaN compares false both ways and would "fall inside" the middle region of the search.
    if (!(address >= 0 && length >= 0)) return null;
    const answers = this.#answers;
    const known = answers.get(address, length);
    if (known !== null) return known;
    const region = this.#lookup(address, length);
    if (region !== null) answers.put(address, length, region);
    return region;
  }

  /** find's lookup behind its remembered answers (`address` and `length` are non-negative). */
  #lookup(address: number, length: number): Region | null {
    const hits = this.#hits;
    const hit = hits.find(address, length);
    if (hit !== undefined) return hit;
    const region = this.#slots.holding(address);
    if (region !== null) return address + length > region.end ? null : hits.remember(region, address, length);
    // A cachemiss thread's mirror may be behind the main thread's table (a region registered
    // after this thread last looked): look again before calling the address bad.
    if (this.#snapshot !== null && this.#shared.generation() !== this.#seenGeneration) {
      this.sync();
      return this.find(address, length);
    }
    return null;
  }

  /**
   * segmentEnd - where the segment holding `address` ends (the region's end when it has no
   * segments): how far a NUL-terminated string at `address` may run.
   *
   * @param region - the region holding `address` (from {@link find}).
   * @param address - an address inside it.
   * @returns the first address past the segment.
   */
  segmentEnd(region: Region, address: number): number {
    const segments = region.segments;
    if (segments === null) return region.end;
    const offset = address - region.start;
    const within = offsetInPeriod(offset, segments.period);
    return Math.min(region.end, address - within + segmentEndWithin(segments, within));
  }

  /**
   * @internal
   * regionsAround - the regions that overlap or touch [start, end), in address order: what the
   * POSIX layer merges a caller's new range with.
   *
   * @param into - where to put them (emptied first; returned).
   */
  regionsAround(start: number, end: number, into: Region[]): Region[] {
    // Addresses are integers: overlapping [start - 1, end + 1) is overlapping or touching [start, end).
    return this.#slots.overlapping(start - 1, end + 1, into, this.#overlappedSlots);
  }

  /**
   * @internal
   * pin - keep `region` from being released or unregistered until {@link unpin}: the engine
   * writes into it outside any chain (the registered completion ring). Releasing it meanwhile
   * throws EBUSY rather than let the engine write into memory that may belong to someone else.
   *
   * @param why - what uses it, for the error message.
   */
  pin(region: Region, why: string): void {
    this.#pinned.set(region.id, why);
  }

  /** @internal unpin - see {@link pin}. */
  unpin(region: Region): void {
    this.#pinned.delete(region.id);
  }

  /** @throws SysletError EBUSY when the region is pinned. */
  protected refuseIfPinned(id: number, what: string): void {
    const why = this.#pinned.get(id);
    if (why !== undefined) throw new SysletError('EBUSY', `cannot ${what} this memory: it holds ${why} (EBUSY)`);
  }

  /**
   * @internal
   * sync - in a cachemiss thread, bring the mirror up to date with the main thread's table.
   * Cheap when nothing changed (one atomic load).
   */
  sync(): void {
    const snapshot = this.#snapshot;
    if (snapshot === null || this.#shared.generation() === this.#seenGeneration) return;
    const { generation, used } = this.#shared.snapshot(snapshot);
    this.#seenGeneration = generation;
    // (Views made on first use: memory-mirror.ts.)
    const changed = this.#slots.mirror(snapshot, used, (id, start, length, descriptor) => new MirroredRegion(id, start, start + length, this.#segments.decode(descriptor)));
    if (changed) this.forgetHits();
  }

  /** Opens the shared table for one change (the mirrors wait until {@link endChange}); nothing may throw before it ends. */
  protected beginChange(): void {
    this.#shared.begin();
  }

  /** Ends the change {@link beginChange} opened. */
  protected endChange(): void {
    this.#shared.end();
  }

  /** What keeps `region`'s memory (its native block, buffer or caller's store), if it is here. */
  protected ownerOf(region: Region): unknown {
    return this.#slots.ownerOf(region);
  }

  /** The shared table's descriptor of `segments` (0: none). */
  protected segmentDescriptor(segments: SegmentSpec): number {
    return this.#segments.descriptor(segments);
  }

  /** Records `region` as the one registering the whole of `backing` (see {@link findOwner}). */
  protected recordBacking(backing: ArrayBufferLike, region: Region): void {
    this.#byBacking.set(backing, region);
  }

  /** Drops every remembered lookup hit: a region went (or, in a mirror, the table was reloaded). */
  protected forgetHits(): void {
    this.#version++;
    this.#hits.forget();
    this.#answers.clear();
  }

  /** The region registering the whole of `backing`, or null. */
  protected findOwner(backing: ArrayBufferLike): Region | null {
    return this.#byBacking.get(backing) ?? null;
  }

  /** @throws RangeError when the region table has no free slot. */
  protected refuseWhenFull(): void {
    if (this.#slots.count >= MAX_REGIONS) throw new RangeError(`too many memory regions (at most ${MAX_REGIONS})`);
  }

  /**
   * Puts a region of `length` bytes of `buffer` from `byteOffset`, at address `start`, in the
   * table, in place of the stale caller registrations it overlaps, as one change for the mirrors.
   * @param owner - what keeps its memory (see {@link ownerOf}).
   * @param descriptor - its segments in the shared table (0: none).
   * @throws RangeError when the table is full, the range empty, or it overlaps engine memory, an arena or a pinned region.
   */
  protected add(start: number, buffer: ArrayBufferLike, kind: RegionKind, owner: unknown, descriptor = 0, byteOffset = 0, length = buffer.byteLength): Region {
    this.refuseWhenFull();
    // (Every caller refuses an empty range already; the index relies on it.)
    if (!(length > 0)) throw new RangeError(`region [0x${start.toString(16)}, +${length}) is empty`);
    const end = start + length;
    const overlapped = this.#slots.overlapping(start, end, this.#overlapped, this.#overlappedSlots);
    for (const region of overlapped) {
      // Two live buffers never share memory, so an overlapped caller registration is stale: its
      // owner freed that memory (a koffi view over freed native memory, say) and it was reused,
      // by the caller or by our own allocator. The newest region wins. Engine memory and arenas
      // are ours and freed only through us: overlapping them is a bug (refused before anything
      // is removed).
      if (region.kind !== 'registered' || this.#pinned.has(region.id)) {
        throw new RangeError(`region [0x${start.toString(16)}, +${length}) (${kind}) overlaps a ${region.kind} region [0x${region.start.toString(16)}, 0x${region.end.toString(16)})`);
      }
    }
    // Made before the shared table is opened for writing: nothing between its begin and end may
    // throw, or the generation would stay odd and the mirrors wait for ever.
    const view = new DataView(buffer, byteOffset, length);
    const bytes = new Uint8Array(buffer, byteOffset, length);
    const segments = this.#segments.decode(descriptor);
    // One change for the mirrors: they never see the table with neither region.
    this.#shared.begin();
    const replaced = overlapped.length > 0;
    for (const region of overlapped) this.remove(region);
    const { slot, id } = this.#slots.take();
    const region: Region = { id, start, end, view, bytes, kind, segments };
    this.#slots.put(slot, region, owner);
    this.#shared.write(slot, start, length, id, region.segments === null ? 0 : descriptor);
    this.#shared.end();
    if (replaced) this.forgetHits();
    return region;
  }

  /**
   * Takes `region` out of the table (between the shared table's begin and end; the caller
   * forgets the remembered hits after). @returns whether it was registered here.
   */
  protected remove(region: Region): boolean {
    const owner = this.#slots.ownerOf(region);
    const slot = this.#slots.remove(region);
    if (slot < 0) return false;
    this.#pinned.delete(region.id);
    if (typeof owner === 'object' && owner !== null && this.#byBacking.get(owner) === region) this.#byBacking.delete(owner);
    this.#shared.clear(slot);
    return true;
  }
}
