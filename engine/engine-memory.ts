/**
 * The memory part of the engine's public API (split from engine.ts; {@link Engine} extends it):
 * the memory chains may dereference — the engine's own allocations and the caller's registered
 * buffers — and the calls that hand it out and take it back.
 */
import { MemoryRegistry, type Region, type SegmentSpec } from './memory.js';

/** The base of {@link Engine}: its memory registry and the calls on it. */
export class EngineMemory {
  /** Memory the engine may dereference: its own allocations and registered buffers. */
  readonly memory = new MemoryRegistry();

  /**
   * alloc - zeroed engine memory that atoms, cells and buffers can live in.
   *
   * @param size - bytes.
   * @param segments - split the region into areas that are each their own bound (a slab of
   *   pooled objects): a pointer argument whose length runs from one area into the next is
   *   -EFAULT, as one that runs past the region is. See {@link SegmentSpec}.
   * @returns the region; give it back with {@link free}.
   * @throws RangeError for a bad size or split.
   * @example
   * ```ts
   * const slab = engine.alloc(32 * 64, { period: 64, starts: [0, 16] }); // 32 objects: a 16-byte and a 48-byte area each
   * ```
   */
  alloc(size: number, segments?: SegmentSpec): Region {
    return this.memory.allocate(size, segments);
  }

  /**
   * free - release engine memory from {@link alloc}. New dereferences of it fail with -EFAULT at
   * once; the memory itself goes back when no chain that was on a cachemiss thread at this
   * moment can still touch it.
   *
   * @throws SysletError EBUSY while the region holds the registered completion ring
   *   ({@link Engine.async_unregister} first): the engine writes completions into it.
   */
  free(region: Region): void {
    this.memory.release(region);
  }

  /**
   * register - let chains read and write a caller's buffer (kept alive until unregistered).
   * @returns the region holding it.
   */
  register(buffer: ArrayBufferView | ArrayBuffer | SharedArrayBuffer): Region {
    return this.memory.registerBuffer(buffer);
  }

  /**
   * unregister - stop letting chains use a registered buffer. It stays reachable until every chain
   * that was on a cachemiss thread at this moment has finished, unless `unused` says none uses it.
   * @returns whether it was registered.
   * @throws SysletError EBUSY while the buffer holds the registered completion ring.
   */
  unregister(buffer: ArrayBufferView | ArrayBuffer | SharedArrayBuffer, unused = false): boolean {
    return this.memory.unregisterBuffer(buffer, unused);
  }
}
