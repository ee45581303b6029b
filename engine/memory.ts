/**
 * Memory confinement. The engine dereferences only addresses that lie in a region it handed out
 * or that the caller registered; anything else is -EFAULT, never a crash. Every region carries a
 * DataView, so reading an atom, an argument cell or writing a result is a bounds-checked typed
 * access instead of a raw native read.
 *
 * The main thread owns the registry; cachemiss threads mirror it through a SharedArrayBuffer
 * table (start, length, id per slot, plus a generation counter) and make their own zero-copy
 * views of the same native memory when the generation moves.
 */
import { addressOf, allocNative, releaseNative, viewOf, type NativeBlock } from './native/index.js';
import { SysletError } from './errors.js';
import { offsetInPeriod, rangeInOneSegment, segmentEndWithin, SegmentTable, type SegmentSpec } from './segments.js';
import type { Region, RegionKind, SharedRegionTable } from './region.js';
import { ReleaseEpochs } from './memory-epochs.js';
import { RangeAnswers } from './memory-answers.js';

export { MAX_SEGMENT_STARTS, type RegionSegments, type SegmentSpec } from './segments.js';
export type { Region, RegionKind, SharedRegionTable } from './region.js';

/** Float64 words the shared table keeps for segment descriptors ([period, count, ...starts] each). */
const SEGMENT_WORDS = 1 << 15;

/** The page size {@link MemoryRegistry.find}'s page hints are keyed by. */
const PAGE_SIZE = 4096;
/** Page hints per registry (a power of two: the page number's low bits index them). */
const PAGE_HINTS = 256;

/** How many regions may exist at once (each slot is four float64 in the shared table). */
export const MAX_REGIONS = 4096;
const SLOT_FIELDS = 4;

/** What MemoryRegistry keeps beside a region it made (see MemoryRegistry.#entries). */
interface RegionEntry {
  readonly region: Region;
  readonly owner: unknown;
  readonly descriptor: number;
}

/** The set of regions one thread can see, with a fast lookup. */
export class MemoryRegistry {
  #regions: Region[] = [];
  /**
   * What the registry keeps per region #add made, by id: the region (#remove finds its place by
   * binary search from its start), its owner (what release frees) and its segment descriptor
   * (what #publish writes for the mirrors).
   */
  readonly #entries = new Map<number, RegionEntry>();
  // The three most recent hits: a chain's atoms, its data buffer and its status (a POSIX
  // request: the plugin slab, the caller's Buffer and the aiocb) live in three regions.
  #last: Region | null = null;
  #previous: Region | null = null;
  #third: Region | null = null;
  // Past the three: the region last found for each 4 KiB page, by page number modulo
  // PAGE_HINTS (validated on use, cleared whenever a region goes). A POSIX loop at QD64 touches
  // 64 caller Buffers in turn, each its own region, so the three-deep cache always missed and
  // every request paid a binary search over all regions.
  readonly #pageHints: (Region | null)[] = new Array<Region | null>(PAGE_HINTS).fill(null);
  // In front of all of that: the last answer per range (memory-answers.ts), cleared with the
  // hits whenever a region goes.
  readonly #answers = new RangeAnswers();
  #nextId = 1;
  // Bumped whenever a region goes (or a mirror reloads its table): a region found before is
  // still the answer while it has not moved (see {@link version}).
  #version = 0;
  readonly #generation: Int32Array;
  readonly #slots: Float64Array;
  readonly #segments: SegmentTable;
  // Registered buffers by their backing store: registering the same buffer again is one lookup.
  readonly #byBacking = new WeakMap<object, Region>();
  readonly #mirror: boolean;
  #seenGeneration = -1;
  // Deferred release: a region released while chains that might still touch it run on cachemiss
  // threads stays mapped (and its owner alive) until every chain from that epoch has finished.
  readonly #epochs = new ReleaseEpochs();
  // Regions that must not be released while something keeps using them (the registered ring), by id.
  readonly #pinned = new Map<number, string>();

  /** @internal Creates the main thread's registry, or (with `shared`) a cachemiss thread's mirror of it. */
  constructor(shared?: SharedRegionTable) {
    const buffer = shared?.buffer ?? new SharedArrayBuffer(8 + MAX_REGIONS * SLOT_FIELDS * 8 + SEGMENT_WORDS * 8);
    this.#generation = new Int32Array(buffer, 0, 1);
    this.#slots = new Float64Array(buffer, 8, MAX_REGIONS * SLOT_FIELDS);
    this.#segments = new SegmentTable(new Float64Array(buffer, 8 + MAX_REGIONS * SLOT_FIELDS * 8, SEGMENT_WORDS));
    this.#mirror = shared !== undefined;
  }

  /** @internal The table to hand to cachemiss threads. */
  get shared(): SharedRegionTable {
    return { buffer: this.#generation.buffer as SharedArrayBuffer };
  }

  /** How many regions are registered. */
  get size(): number {
    return this.#regions.length;
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
    const last = this.#last;
    if (last !== null && address >= last.start && address + length <= last.end) return last.segments === null || rangeInOneSegment(last.segments, address - last.start, length) ? last : null;
    const previous = this.#previous;
    if (previous !== null && address >= previous.start && address + length <= previous.end) {
      this.#previous = last;
      this.#last = previous;
      return previous.segments === null || rangeInOneSegment(previous.segments, address - previous.start, length) ? previous : null;
    }
    const third = this.#third;
    if (third !== null && address >= third.start && address + length <= third.end) {
      this.#third = previous;
      this.#previous = last;
      this.#last = third;
      return third.segments === null || rangeInOneSegment(third.segments, address - third.start, length) ? third : null;
    }
    // The page number's low bits: `>>> 0` truncates the (non-negative) quotient as floor would.
    const page = (address / PAGE_SIZE) >>> 0 & (PAGE_HINTS - 1);
    const hinted = this.#pageHints[page] as Region | null;
    if (hinted !== null && address >= hinted.start && address + length <= hinted.end) {
      this.#third = previous;
      this.#previous = last;
      this.#last = hinted;
      return hinted.segments === null || rangeInOneSegment(hinted.segments, address - hinted.start, length) ? hinted : null;
    }
    const regions = this.#regions;
    let lo = 0;
    let hi = regions.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const region = regions[mid] as Region;
      if (address < region.start) hi = mid - 1;
      else if (address >= region.end) lo = mid + 1;
      else {
        if (address + length > region.end || length < 0) return null;
        this.#third = this.#previous;
        this.#previous = this.#last;
        this.#last = region;
        this.#pageHints[page] = region;
        return region.segments === null || rangeInOneSegment(region.segments, address - region.start, length) ? region : null;
      }
    }
    // A cachemiss thread's mirror may be behind the main thread's table (a region registered
    // after this thread last looked): look again before calling the address bad.
    if (this.#mirror && Atomics.load(this.#generation, 0) !== this.#seenGeneration) {
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
   * registerBuffer - let the engine read and write a caller's buffer. The whole backing
   * ArrayBuffer becomes one region, and the registry keeps it alive until it is unregistered.
   *
   * @returns the region (the same one when the buffer is already registered).
   */
  registerBuffer(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer, kind: RegionKind = 'registered'): Region {
    const backing = ArrayBuffer.isView(value) ? value.buffer : value;
    const existing = this.#findOwner(backing);
    if (existing !== null) return existing;
    if (backing.byteLength === 0) throw new RangeError('cannot register an empty buffer');
    const start = addressOf(backing);
    return this.#add(start, backing, kind, backing);
  }

  /**
   * registerRange - let the engine read and write exactly `byteLength` bytes of `buffer` from
   * `byteOffset`, and nothing else of it: a pooled Buffer shares its backing store (Node's 8 KiB
   * pool) with unrelated Buffers, which registering the whole store would expose. Regions of the
   * kind 'registered' this range overlaps are replaced in the same step (cachemiss threads never
   * see a table with neither), so a caller may widen a range to the union of two it holds.
   * Release it with {@link release}.
   *
   * @returns the region; it keeps `buffer` alive while registered.
   * @throws RangeError for an empty or out-of-bounds range, or when the table is full.
   * @example
   * ```ts
   * const a = Buffer.from('sixteen bytes!!!'); // in Node's pool
   * const region = memory.registerRange(a.buffer, a.byteOffset, a.byteLength);
   * ```
   */
  registerRange(buffer: ArrayBufferLike, byteOffset: number, byteLength: number): Region {
    if (!Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(byteLength) || byteOffset < 0 || byteLength <= 0 || byteOffset + byteLength > buffer.byteLength) {
      throw new RangeError(`registerRange: [${String(byteOffset)}, +${String(byteLength)}) is not a non-empty range of a ${buffer.byteLength}-byte buffer`);
    }
    // The owner is a fresh object, not the backing store: registerBuffer(backing) must still
    // register the whole store rather than find this part of it.
    return this.#add(addressOf(buffer) + byteOffset, buffer, 'registered', { buffer }, 0, byteOffset, byteLength);
  }

  /** @internal registerNative - make a native block (allocated elsewhere, e.g. a low arena) a region. */
  registerNative(block: NativeBlock, kind: RegionKind): Region {
    return this.#add(block.address, block.buffer, kind, block);
  }

  /**
   * allocate - hand out zeroed native memory that belongs to the engine.
   *
   * @param size - bytes.
   * @returns the region; release it with {@link release}.
   */
  allocate(size: number, segments?: SegmentSpec): Region {
    const descriptor = segments === undefined ? 0 : this.#segments.descriptor(segments);
    // Refused before the block is made: a caller that retries while the table is full (the POSIX
    // layer answers EAGAIN then) would otherwise allocate and free a block per try, and the
    // allocator kept about half of each (4.4 KB per refused 8 KiB slab, measured).
    this.#refuseWhenFull();
    const block = allocNative(size, 64);
    return this.#add(block.address, block.buffer, 'engine', block, descriptor);
  }

  /**
   * release - forget a region; engine allocations are freed. New dereferences of it fail with
   * EFAULT at once; the memory itself is freed only when no chain that was running on a
   * cachemiss thread at the time of the release can still touch it.
   *
   * @param region - a region of this registry.
   * @param free - for memory the registry did not allocate (a compat32 arena's low mapping): what
   *   frees it. It runs under the same rule, so a cachemiss thread's copy of the region table
   *   never points at memory that is gone while a chain that could read it is still running.
   */
  release(region: Region, free?: () => void): void {
    this.#refuseIfPinned(region.id, 'free');
    const owner = this.#entries.get(region.id)?.owner;
    this.#remove(region.id);
    if (free !== undefined) this.#epochs.defer(free);
    else if (owner !== undefined && region.kind === 'engine') this.#epochs.defer(() => releaseNative(owner as NativeBlock));
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
  #refuseIfPinned(id: number, what: string): void {
    const why = this.#pinned.get(id);
    if (why !== undefined) throw new SysletError('EBUSY', `cannot ${what} this memory: it holds ${why} (EBUSY)`);
  }

  /** @internal hold - a chain is going to a cachemiss thread. @returns the epoch to give back to {@link unhold}. */
  hold(): number {
    return this.#epochs.hold();
  }

  /** @internal unhold - a chain from `epoch` finished; frees whatever no running chain can reach any more. */
  unhold(epoch: number): void {
    this.#epochs.unhold(epoch);
  }

  /**
   * unregister - forget the region that holds a registered buffer.
   *
   * @param unused - the caller knows no chain can still touch the buffer (the POSIX layer, whose
   *   requests on it have all ended): drop it at once instead of keeping it reachable until every
   *   chain that was running has finished.
   * @returns whether one was found.
   */
  unregisterBuffer(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer, unused = false): boolean {
    const backing = ArrayBuffer.isView(value) ? value.buffer : value;
    const region = this.#findOwner(backing);
    if (region === null) return false;
    this.#refuseIfPinned(region.id, 'unregister');
    this.#remove(region.id);
    // Keep the buffer reachable until no running chain can still write into it.
    if (!unused) this.#epochs.defer(() => void backing.byteLength);
    return true;
  }

  /** regionOfBuffer - the region a registered buffer lives in, or null. */
  regionOfBuffer(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): Region | null {
    return this.#findOwner(ArrayBuffer.isView(value) ? value.buffer : value);
  }

  /**
   * @internal
   * sync - in a cachemiss thread, bring the mirror up to date with the main thread's table.
   * Cheap when nothing changed (one atomic load).
   */
  sync(): void {
    if (!this.#mirror) return;
    if (Atomics.load(this.#generation, 0) === this.#seenGeneration) return;
    // A seqlock: the table is being rewritten while the generation is odd, and a copy is good
    // only if the generation did not move while it was read.
    let generation: number;
    let wanted: Map<number, [number, number, number]>;
    for (;;) {
      generation = Atomics.load(this.#generation, 0);
      if ((generation & 1) !== 0) continue;
      wanted = new Map<number, [number, number, number]>();
      for (let slot = 0; slot < MAX_REGIONS; slot++) {
        const id = this.#slots[slot * SLOT_FIELDS + 2] as number;
        if (id === 0) break;
        wanted.set(id, [this.#slots[slot * SLOT_FIELDS] as number, this.#slots[slot * SLOT_FIELDS + 1] as number, this.#slots[slot * SLOT_FIELDS + 3] as number]);
      }
      if (Atomics.load(this.#generation, 0) === generation) break;
    }
    this.#seenGeneration = generation;
    const kept = this.#regions.filter((region) => wanted.has(region.id));
    for (const region of kept) wanted.delete(region.id);
    for (const [id, [start, length, descriptor]] of wanted) {
      const buffer = viewOf(start, length);
      kept.push({ id, start, end: start + length, view: new DataView(buffer), bytes: new Uint8Array(buffer), kind: 'engine', segments: this.#segments.decode(descriptor) });
    }
    kept.sort((a, b) => a.start - b.start);
    this.#regions = kept;
    this.#forgetHits();
  }

  /** Drops every remembered lookup hit: a region went (or, in a mirror, the table was reloaded). */
  #forgetHits(): void {
    this.#version++;
    this.#last = null;
    this.#previous = null;
    this.#third = null;
    this.#pageHints.fill(null);
    this.#answers.clear();
  }

  #findOwner(backing: ArrayBufferLike): Region | null {
    return this.#byBacking.get(backing) ?? null;
  }

  /** @throws RangeError when the region table has no free slot. */
  #refuseWhenFull(): void {
    if (this.#regions.length >= MAX_REGIONS) throw new RangeError(`too many memory regions (at most ${MAX_REGIONS})`);
  }

  #add(start: number, buffer: ArrayBufferLike, kind: RegionKind, owner: unknown, descriptor = 0, byteOffset = 0, length = buffer.byteLength): Region {
    this.#refuseWhenFull();
    const end = start + length;
    // The regions are sorted by start and never overlap, so those that overlap the new one are
    // the run from the last one starting before it (if it reaches into it) to the last one
    // starting before its end: found by binary search, not by a scan and a sort of the whole
    // table (with a thousand regions registered, a scan, a copy and a sort per registration were
    // 80 % of an aio.read of a fresh Buffer, 80 µs).
    let first = this.#firstStartingAtOrAfter(start);
    const before = this.#regions[first - 1];
    if (before !== undefined && before.end > start) first--;
    let last = first;
    while (last < this.#regions.length && (this.#regions[last] as Region).start < end) last++;
    // (The test itself, for regions of no bytes at either end of the run.)
    const overlapped = this.#regions.slice(first, last).filter((region) => start < region.end && end > region.start);
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
    // The table is published once, below: a mirror never sees it with neither region.
    for (const region of overlapped) this.#remove(region.id, false);
    const id = this.#nextId++;
    const region: Region = { id, start, end, view: new DataView(buffer, byteOffset, length), bytes: new Uint8Array(buffer, byteOffset, length), kind, segments: this.#segments.decode(descriptor) };
    const at = this.#firstStartingAtOrAfter(start);
    this.#regions.splice(at, 0, region);
    this.#entries.set(id, { region, owner, descriptor });
    if (typeof owner === 'object' && owner !== null) this.#byBacking.set(owner, region);
    this.#publish(overlapped.length > 0 ? Math.min(at, first) : at);
    return region;
  }

  /** The index of the first region that starts at or after `address` (the table's length if none). */
  #firstStartingAtOrAfter(address: number): number {
    const regions = this.#regions;
    let lo = 0;
    let hi = regions.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((regions[mid] as Region).start < address) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  #remove(id: number, publish = true): void {
    this.#pinned.delete(id);
    const entry = this.#entries.get(id);
    const owner = entry?.owner;
    if (typeof owner === 'object' && owner !== null) this.#byBacking.delete(owner);
    const regions = this.#regions;
    // By binary search from its start (regions of no bytes may share a start: then the next ones;
    // a region #add did not make, in a mirror, by a scan).
    let at = entry === undefined ? 0 : this.#firstStartingAtOrAfter(entry.region.start);
    while (at < regions.length && (regions[at] as Region).id !== id) at++;
    if (at < regions.length) regions.splice(at, 1);
    this.#entries.delete(id);
    this.#forgetHits();
    if (publish) this.#publish(at);
  }

  /** Writes the table's slots from `from` on (those before it did not change) for the mirrors. */
  #publish(from = 0): void {
    if (this.#mirror) return;
    // Odd while writing (see sync). Only the slots in use and the one after are written: a reader
    // stops at the first empty slot.
    Atomics.add(this.#generation, 0, 1);
    const regions = this.#regions;
    const count = regions.length;
    for (let slot = from; slot < count; slot++) {
      const region = regions[slot] as Region;
      this.#slots[slot * SLOT_FIELDS] = region.start;
      this.#slots[slot * SLOT_FIELDS + 1] = region.end - region.start;
      this.#slots[slot * SLOT_FIELDS + 2] = region.id;
      this.#slots[slot * SLOT_FIELDS + 3] = region.segments === null ? 0 : (this.#entries.get(region.id)?.descriptor ?? 0);
    }
    if (count < MAX_REGIONS) this.#slots[count * SLOT_FIELDS + 2] = 0;
    Atomics.add(this.#generation, 0, 1);
  }
}
