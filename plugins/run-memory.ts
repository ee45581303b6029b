/**
 * Engine memory for one run's JavaScript values: the NUL-terminated copy of a `path` parameter
 * and the bytes of an `out` parameter come from per-engine pools of power-of-two blocks, carved
 * from slabs whose blocks are each their own bound, and sit at the end of their block
 * ({@link tailOffset}): a read longer than its `out` parameter is -EFAULT, not a write into the
 * block's slack or the next run's block. A block goes back to its pool when the run
 * ends, aborted or not; after the first runs of a size, no run allocates engine memory.
 *
 * `in` parameters are the caller's own bytes: a view that is its whole ArrayBuffer is registered
 * with the engine for the run (counted, so two runs may share a buffer) and unregistered when the
 * last run using it ends — unless the caller had registered it already, in which case it is left
 * as it was; a view that is part of a larger store is copied into a block ({@link RunMemory.copiesIn}).
 */
import { addressOf } from '../engine/native/index.js';
import type { Engine } from '../engine/engine.js';
import type { Region } from '../engine/memory.js';

/** The smallest block, in bytes. */
export const MIN_BLOCK = 64;
/** The largest block: the most an `out` parameter or a path may need. */
export const MAX_BLOCK = 1 << 26;
/** Bytes of a slab of small blocks. */
const SLAB_BYTES = 256 * 1024;
/** Free blocks kept per size class of 1 MiB and more (the rest are freed). */
const LARGE_KEPT = 2;
const LARGE = 1 << 20;

/** One pooled block of engine memory. */
export interface RunBlock {
  /** Its address. */
  readonly address: number;
  /** Its bytes (the whole block). */
  readonly bytes: Buffer;
  /** Its size class index. */
  readonly sizeClass: number;
  /** The slab it was carved from. */
  readonly region: Region;
}

/** The size class holding `bytes` bytes. */
function classOf(bytes: number): number {
  let size = MIN_BLOCK;
  let sizeClass = 0;
  while (size < bytes) {
    size *= 2;
    sizeClass++;
  }
  return sizeClass;
}

/** Run memory of one engine. */
export class RunMemory {
  readonly #engine: Engine;
  readonly #free: RunBlock[][] = [];
  readonly #slabs = new Set<Region>();
  // Buffers this pool registered, with how many runs hold them.
  readonly #holds = new Map<ArrayBufferLike, number>();

  constructor(engine: Engine) {
    this.#engine = engine;
  }

  /** Slabs allocated so far (after a warm-up, runs of the same sizes add none). */
  get slabs(): number {
    return this.#slabs.size;
  }

  /**
   * take - a block of at least `bytes` bytes, from the pool (a new slab when empty), all zeros:
   * a block is zeroed when it comes back ({@link give}) and a slab when it is made (aligned_alloc
   * gives the C heap's old bytes). So a pointer a chain moves before a parameter's bytes (a cursor
   * cell taken from a path, walked back with umem_add) reads zeros, never an earlier run's data.
   * @throws RangeError above {@link MAX_BLOCK}.
   */
  take(bytes: number): RunBlock {
    if (bytes > MAX_BLOCK) throw new RangeError(`${bytes} bytes: at most ${MAX_BLOCK} per parameter`);
    const sizeClass = classOf(bytes);
    const free = (this.#free[sizeClass] ??= []);
    const block = free.pop();
    if (block !== undefined) return block;
    const size = MIN_BLOCK << sizeClass;
    const count = Math.max(1, Math.floor(SLAB_BYTES / size));
    // Blocks of a shared slab are each their own bound.
    const region = this.#engine.alloc(size * count, count > 1 ? { period: size, starts: [] } : undefined);
    region.bytes.fill(0);
    this.#slabs.add(region);
    for (let i = count - 1; i > 0; i--) free.push(this.#block(region, i * size, size, sizeClass));
    return this.#block(region, 0, size, sizeClass);
  }

  /** give - return a block to its pool, zeroed (a large one beyond the few kept goes back to the engine). */
  give(block: RunBlock): void {
    const free = this.#free[block.sizeClass] as RunBlock[];
    if ((MIN_BLOCK << block.sizeClass) >= LARGE && free.length >= LARGE_KEPT) {
      this.#slabs.delete(block.region);
      this.#engine.free(block.region);
      return;
    }
    block.bytes.fill(0);
    free.push(block);
  }

  /**
   * copiesIn - whether an `in` parameter's view is given to the chain as a copy rather than
   * registered: when it is only part of its ArrayBuffer (registering covers a whole store, and a
   * small pooled Buffer shares Node's 8 KiB pool with unrelated Buffers), unless the caller
   * registered that store itself, or it is past {@link MAX_BLOCK} (then the store is registered).
   */
  copiesIn(view: ArrayBufferView): boolean {
    const backing = view.buffer;
    if (view.byteLength === backing.byteLength || view.byteLength > MAX_BLOCK) return false;
    return this.#holds.has(backing) || this.#engine.memory.regionOfBuffer(view) === null;
  }

  /**
   * hold - the address of a caller's bytes for a run, registering them with the engine if they
   * are not already. @throws RangeError (from the engine) when too many regions exist.
   */
  hold(view: ArrayBufferView): number {
    const backing = view.buffer;
    const holds = this.#holds.get(backing);
    if (holds !== undefined) this.#holds.set(backing, holds + 1);
    else if (this.#engine.memory.regionOfBuffer(view) === null) {
      this.#engine.register(view);
      this.#holds.set(backing, 1);
    }
    return addressOf(view);
  }

  /** unhold - the run that held `view` has ended: unregister it once no run holds it. */
  unhold(view: ArrayBufferView): void {
    const backing = view.buffer;
    const holds = this.#holds.get(backing);
    if (holds === undefined) return;
    if (holds > 1) {
      this.#holds.set(backing, holds - 1);
      return;
    }
    this.#holds.delete(backing);
    // Every chain that could use it has ended: no need to keep it reachable any longer.
    this.#engine.unregister(view, true);
  }

  #block(region: Region, offset: number, size: number, sizeClass: number): RunBlock {
    return { address: region.start + offset, bytes: Buffer.from(region.bytes.buffer, region.bytes.byteOffset + offset, size), sizeClass, region };
  }
}

/**
 * tailOffset - where `bytes` bytes start in `block` when they end where it ends. A parameter's
 * bytes are put there, not at the block's start, because the block is the bound the engine checks
 * (a slab's segment): ending at its end, a length that runs past the parameter's own bytes runs
 * past the block and is -EFAULT, where at the start it reached the block's slack — bytes an earlier
 * run left there (another request's read data) or room a read could fill unseen. Alignment: a
 * block is a power of two, so bytes that are a multiple of 2^k (a 4 KiB output) start 2^k-aligned.
 *
 * @param block - a block of at least `bytes` bytes.
 * @param bytes - the parameter's length (with a path's NUL).
 * @returns the offset in the block.
 */
export function tailOffset(block: RunBlock, bytes: number): number {
  return block.bytes.length - bytes;
}

const pools = new WeakMap<Engine, RunMemory>();

/** runMemory - the run-memory pool of `engine`. */
export function runMemory(engine: Engine): RunMemory {
  let pool = pools.get(engine);
  if (pool === undefined) {
    pool = new RunMemory(engine);
    pools.set(engine, pool);
  }
  return pool;
}
