/**
 * Memory confinement. The engine dereferences only addresses that lie in a region it handed out
 * or that the caller registered; anything else is -EFAULT, never a crash. Every region carries a
 * DataView, so reading an atom, an argument cell or writing a result is a bounds-checked typed
 * access instead of a raw native read.
 *
 * The registry decides what comes into the region table and when it goes: callers' buffers and
 * ranges (kept attached while registered), engine allocations, and releases deferred until no
 * chain on a cachemiss thread can still touch the memory. The table itself — its lookup, its
 * shared mirror for cachemiss threads, pins — is engine/memory-table.ts.
 */
import { markAsUntransferable } from 'node:worker_threads';
import { addressOf, allocNative, releaseNative, type NativeBlock } from './native/index.js';
import type { SegmentSpec } from './segments.js';
import type { Region, RegionKind } from './region.js';
import { ReleaseEpochs } from './memory-epochs.js';
import { RegionTable } from './memory-table.js';

export { MAX_SEGMENT_STARTS, type RegionSegments, type SegmentSpec } from './segments.js';
export type { Region, RegionKind, SharedRegionTable } from './region.js';
export { MAX_REGIONS } from './memory-table.js';

/** The set of regions one thread can see, with a fast lookup, and what may come into it and when it goes. */
export class MemoryRegistry extends RegionTable {
  // Deferred release: a region released while chains that might still touch it run on cachemiss
  // threads stays mapped (and its owner alive) until every chain from that epoch has finished.
  readonly #epochs = new ReleaseEpochs();

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
    const existing = this.findOwner(backing);
    if (existing !== null) return existing;
    if (backing.byteLength === 0) throw new RangeError('cannot register an empty buffer');
    if (!fresh) keepAttached(backing);
    const start = addressOf(backing);
    const region = this.add(start, backing, kind, backing);
    this.recordBacking(backing, region);
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
    return this.add(bufferAddress + byteOffset, buffer, 'registered', null, 0, byteOffset, byteLength);
  }


  /** @internal registerNative - make a native block (allocated elsewhere, e.g. a low arena) a region. */
  registerNative(block: NativeBlock, kind: RegionKind): Region {
    return this.add(block.address, block.buffer, kind, block);
  }

  /**
   * allocate - hand out zeroed native memory that belongs to the engine.
   *
   * @param size - bytes.
   * @returns the region; release it with {@link release}.
   */
  allocate(size: number, segments?: SegmentSpec): Region {
    const descriptor = segments === undefined ? 0 : this.segmentDescriptor(segments);
    // Refused before the block is made: a caller that retries while the table is full (the POSIX
    // layer answers EAGAIN then) would otherwise allocate and free a block per try, and the
    // allocator kept about half of each (4.4 KB per refused 8 KiB slab, measured).
    this.refuseWhenFull();
    const block = allocNative(size, 64);
    return this.add(block.address, block.buffer, 'engine', block, descriptor);
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
    this.refuseIfPinned(region.id, 'free');
    const owner = this.ownerOf(region);
    this.beginChange();
    const removed = this.remove(region);
    this.endChange();
    if (removed) this.forgetHits();
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
    for (const region of regions) this.refuseIfPinned(region.id, 'free');
    let removed = false;
    this.beginChange();
    for (const region of regions) if (this.remove(region)) removed = true;
    this.endChange();
    if (removed) this.forgetHits();
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
    const region = this.findOwner(backing);
    if (region === null) return false;
    this.refuseIfPinned(region.id, 'unregister');
    this.beginChange();
    this.remove(region);
    this.endChange();
    this.forgetHits();
    // Keep the buffer reachable until no running chain can still write into it.
    if (!unused) this.#epochs.defer(() => void backing.byteLength);
    return true;
  }

  /** regionOfBuffer - the region a registered buffer lives in, or null. */
  regionOfBuffer(value: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): Region | null {
    return this.findOwner(ArrayBuffer.isView(value) ? value.buffer : value);
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
