/**
 * Memory confinement. The engine dereferences only addresses that lie in a region it handed out
 * or that the caller registered; anything else is -EFAULT, never a crash. Every region carries a
 * DataView, so reading an atom, an argument cell or writing a result is a bounds-checked typed
 * access instead of a raw native read.
 *
 * The main thread owns the registry; cachemiss threads mirror it through a SharedArrayBuffer
 * table (start, length, id per slot, plus a generation counter: engine/memory-shared.ts) and
 * make their own zero-copy views of the same native memory when the generation moves. A region
 * keeps one slot for its life, and lookups go through an address index in typed arrays
 * (engine/memory-index.ts), so a registration or a release costs a binary search, a memmove and
 * one slot written, whatever the number of regions.
 */
import { markAsUntransferable } from 'node:worker_threads';
import { addressOf, allocNative, releaseNative, type NativeBlock } from './native/index.js';
import { SysletError } from './errors.js';
import { offsetInPeriod, segmentEndWithin, SegmentTable, type SegmentSpec } from './segments.js';
import type { Region, RegionKind, SharedRegionTable } from './region.js';
import { ReleaseEpochs } from './memory-epochs.js';
import { RangeAnswers } from './memory-answers.js';
import { RecentHits } from './memory-hits.js';
import { RegionSlots } from './memory-slots.js';
import { SharedSlots, SLOT_FIELDS } from './memory-shared.js';
import { MirroredRegion } from './memory-mirror.js';

export { MAX_SEGMENT_STARTS, type RegionSegments, type SegmentSpec } from './segments.js';
export type { Region, RegionKind, SharedRegionTable } from './region.js';

/** Float64 words the shared table keeps for segment descriptors ([period, count, ...starts] each). */
const SEGMENT_WORDS = 1 << 15;

/** How many regions may exist at once (each slot is four float64 in the shared table). */
export const MAX_REGIONS = 4096;

/** The set of regions one thread can see, with a fast lookup. */
export class MemoryRegistry {
  // The regions, each in the slot its id names, and their address index (memory-slots.ts).
  readonly #slots = new RegionSlots(MAX_REGIONS);
  // Scratch for #add's and regionsAround's overlapped regions (reused: no array per registration).
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
  // Deferred release: a region released while chains that might still touch it run on cachemiss
  // threads stays mapped (and its owner alive) until every chain from that epoch has finished.
  readonly #epochs = new ReleaseEpochs();
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
   * registerBuffer - let the engine read and write a caller's buffer. The whole backing
   * ArrayBuffer becomes one region, and the registry keeps it alive until it is unregistered.
   *
   * @param fresh - the library made the buffer for this use and hands it to no one before it is
   *   unregistered (a whole-file read's result): nothing can transfer it while chains use it, so
   *   it is not marked untransferable, and its owner may move it to a worker later as Node's own
   *   readFile result (hunt25: DataCloneError on Node 22, a silent copy on Node 20).
   * @returns the region (the same one when the buffer is already registered).
   */
  registerBuffer(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer, kind: RegionKind = 'registered', fresh = false): Region {
    const backing = ArrayBuffer.isView(value) ? value.buffer : value;
    const existing = this.#findOwner(backing);
    if (existing !== null) return existing;
    if (backing.byteLength === 0) throw new RangeError('cannot register an empty buffer');
    if (!fresh) keepAttached(backing);
    const start = addressOf(backing);
    const region = this.#add(start, backing, kind, backing);
    this.#byBacking.set(backing, region);
    return region;
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
    return this.registerRangeAt(buffer, byteOffset, byteLength, addressOf(buffer));
  }

  /**
   * @internal
   * registerRangeAt - {@link registerRange} for a caller that already took the store's address
   * (with addressOf: an FFI call the POSIX layer makes once per view, not per registration).
   *
   * @param bufferAddress - the address of `buffer`'s first byte.
   */
  registerRangeAt(buffer: ArrayBufferLike, byteOffset: number, byteLength: number, bufferAddress: number): Region {
    if (!Number.isSafeInteger(byteOffset) || !Number.isSafeInteger(byteLength) || byteOffset < 0 || byteLength <= 0 || byteOffset + byteLength > buffer.byteLength) {
      throw new RangeError(`registerRange: [${String(byteOffset)}, +${String(byteLength)}) is not a non-empty range of a ${buffer.byteLength}-byte buffer`);
    }
    keepAttached(buffer);
    // Not recorded by its backing store: registerBuffer(backing) must still register the whole
    // store rather than find this part of it.
    return this.#add(bufferAddress + byteOffset, buffer, 'registered', null, 0, byteOffset, byteLength);
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
    const owner = this.#slots.ownerOf(region);
    this.#shared.begin();
    const removed = this.#remove(region);
    this.#shared.end();
    if (removed) this.#forgetHits();
    if (free !== undefined) this.#epochs.defer(free);
    else if (owner !== undefined && region.kind === 'engine') this.#epochs.defer(() => releaseNative(owner as NativeBlock));
  }

  /**
   * releaseRanges - {@link release} each of `regions`, all registered ranges
   * ({@link registerRange}) that no chain can still touch, in one step: the lookups every
   * release forgets (and the decoded atoms and confinement checks that the {@link version}
   * guards) are forgotten once for the lot, and the mirrors see one change. What the POSIX layer
   * calls when it drops idle registrations in a batch.
   *
   * @throws SysletError EBUSY when one is pinned (then none is released).
   */
  releaseRanges(regions: readonly Region[]): void {
    for (const region of regions) this.#refuseIfPinned(region.id, 'free');
    let removed = false;
    this.#shared.begin();
    for (const region of regions) if (this.#remove(region)) removed = true;
    this.#shared.end();
    if (removed) this.#forgetHits();
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
    this.#shared.begin();
    this.#remove(region);
    this.#shared.end();
    this.#forgetHits();
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
    const snapshot = this.#snapshot;
    if (snapshot === null || this.#shared.generation() === this.#seenGeneration) return;
    const { generation, used } = this.#shared.snapshot(snapshot);
    this.#seenGeneration = generation;
    // (Views made on first use: memory-mirror.ts.)
    const changed = this.#slots.mirror(snapshot, used, (id, start, length, descriptor) => new MirroredRegion(id, start, start + length, this.#segments.decode(descriptor)));
    if (changed) this.#forgetHits();
  }

  /** Drops every remembered lookup hit: a region went (or, in a mirror, the table was reloaded). */
  #forgetHits(): void {
    this.#version++;
    this.#hits.forget();
    this.#answers.clear();
  }

  #findOwner(backing: ArrayBufferLike): Region | null {
    return this.#byBacking.get(backing) ?? null;
  }

  /** @throws RangeError when the region table has no free slot. */
  #refuseWhenFull(): void {
    if (this.#slots.count >= MAX_REGIONS) throw new RangeError(`too many memory regions (at most ${MAX_REGIONS})`);
  }

  #add(start: number, buffer: ArrayBufferLike, kind: RegionKind, owner: unknown, descriptor = 0, byteOffset = 0, length = buffer.byteLength): Region {
    this.#refuseWhenFull();
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
    for (const region of overlapped) this.#remove(region);
    const { slot, id } = this.#slots.take();
    const region: Region = { id, start, end, view, bytes, kind, segments };
    this.#slots.put(slot, region, owner);
    this.#shared.write(slot, start, length, id, region.segments === null ? 0 : descriptor);
    this.#shared.end();
    if (replaced) this.#forgetHits();
    return region;
  }

  /**
   * Takes `region` out of the table (between the shared table's begin and end; the caller
   * forgets the remembered hits after). @returns whether it was registered here.
   */
  #remove(region: Region): boolean {
    const owner = this.#slots.ownerOf(region);
    const slot = this.#slots.remove(region);
    if (slot < 0) return false;
    this.#pinned.delete(region.id);
    if (typeof owner === 'object' && owner !== null && this.#byBacking.get(owner) === region) this.#byBacking.delete(owner);
    this.#shared.clear(slot);
    return true;
  }
}

/**
 * A registered ArrayBuffer must keep its memory while chains may use it: transferred to another
 * thread (postMessage or structuredClone with `transfer`) and collected there, its memory went
 * back to the allocator while a request's read still wrote into it (workers21, session 21: the
 * bytes landed in other Buffers, or glibc's heap was corrupted and the process aborted). Marked
 * untransferable, a transfer clones it instead and this one stays attached (Node does the same
 * for its Buffer pool). The mark is permanent; a SharedArrayBuffer is never transferred.
 */
function keepAttached(buffer: ArrayBufferLike): void {
  if (buffer instanceof ArrayBuffer) markAsUntransferable(buffer);
}
