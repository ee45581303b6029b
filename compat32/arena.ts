/**
 * The 32-bit address space: an arena mapped in the low 4 GiB, so that a 32-bit pointer into it
 * is a real address the 64-bit engine can use as is (zero-extended). The arena is registered with
 * the engine's MemoryRegistry as kind 'arena32', which is what lets the engine's confinement
 * checks accept the buffers, paths and iovec targets 32-bit atoms point at — and nothing else.
 */
import { errnoName, mapLow, unmapLow, type LowMapping } from '../engine/native/index.js';
import type { MemoryRegistry, Region } from '../engine/memory.js';
import { ArenaError, ConversionError, hex32 } from './errors.js';
import type { Image32 } from './image.js';

/**
 * A readable view of 32-bit memory: the arena, or an unmapped image being inspected. Byte 0 of
 * `view` is address `base`.
 */
export interface Space32 {
  /** First address. */
  readonly base: number;
  /** One past the last address. */
  readonly end: number;
  /** A DataView over the memory; byte 0 is address `base`. */
  readonly view: DataView;
  /** The same memory as bytes; index 0 is address `base`. */
  readonly bytes: Uint8Array;
}

/**
 * contains32 - whether all of [address, address + length) lies in `space`.
 *
 * @param space - the 32-bit memory.
 * @param address - a 32-bit address.
 * @param length - bytes, >= 0.
 * @returns true when the whole range is inside.
 */
export function contains32(space: Space32, address: number, length: number): boolean {
  return address >= space.base && length >= 0 && address + length <= space.end;
}

/**
 * imageSpace - a Space32 over an image's payload without mapping it, for inspection: addresses
 * are the ones the image was laid out for, but nothing can run there.
 *
 * @param image - a parsed image.
 * @returns the space (payload plus zeroed reserve).
 */
export function imageSpace(image: Image32): Space32 {
  const bytes = new Uint8Array(image.bytes.byteLength + image.reserve);
  bytes.set(image.bytes);
  return { base: image.base, end: image.base + bytes.byteLength, view: new DataView(bytes.buffer), bytes };
}

/**
 * Arena32 - 32-bit memory in the low 4 GiB, registered with a MemoryRegistry as 'arena32'.
 * Dispose it (or call {@link Arena32.close}) to unregister and unmap it. Closing is safe at any
 * time: while a {@link runConverted} of a conversion in it is still running (its chain asleep
 * on a cachemiss thread, or its write-back still ahead), the arena stays registered and mapped
 * until that run has ended, then it is retired like engine memory (see docs/compat32.md,
 * "Lifetimes").
 *
 * @example
 * ```ts
 * using arena = Arena32.load(engine.memory, parseImage(readFileSync('chain.img')));
 * arena.u32(arena.base); // the first word of the image
 * ```
 */
export class Arena32 implements Space32, Disposable {
  /** First address of the arena (a 32-bit address). */
  readonly base: number;
  /** One past the last address of the arena. */
  readonly end: number;
  /** How the mapping was obtained (MAP_32BIT, or fixed at the requested base). */
  readonly how: LowMapping['how'];
  // The mapping and the views over it, until the arena is retired (see #retire).
  #mapping: LowMapping | null;
  #view: DataView | null;
  #bytes: Uint8Array | null;
  readonly #memory: MemoryRegistry;
  #region: Region | null;
  // Runs of conversions in this arena that have not ended (their write-back included).
  #runs = 0;
  #closed = false;

  private constructor(memory: MemoryRegistry, mapping: LowMapping) {
    this.#mapping = mapping;
    this.#memory = memory;
    this.base = mapping.address;
    this.end = mapping.address + mapping.size;
    this.#view = new DataView(mapping.buffer);
    this.#bytes = new Uint8Array(mapping.buffer);
    this.how = mapping.how;
    this.#region = memory.registerNative(mapping, 'arena32');
  }

  /**
   * map - create an empty (zeroed) arena.
   *
   * @param memory - the engine's registry; the arena becomes an 'arena32' region of it.
   * @param size - bytes (rounded up to pages).
   * @param base - map exactly here (page-aligned, below 4 GiB, never over an existing mapping);
   *   default: wherever MAP_32BIT finds room (first 2 GiB).
   * @returns the arena.
   * @throws ArenaError with the mmap errno (EEXIST, ENOMEM, EINVAL).
   */
  static map(memory: MemoryRegistry, size: number, base?: number): Arena32 {
    const mapping = mapLow(size, base);
    if (typeof mapping === 'number') throw new ArenaError(base ?? 0, size, errnoName(mapping));
    try {
      return new Arena32(memory, mapping);
    } catch (error) {
      unmapLow(mapping);
      throw error;
    }
  }

  /**
   * load - map an arena at an image's base and copy the image in.
   *
   * @param memory - the engine's registry.
   * @param image - from parseImage; the arena covers its payload and reserve.
   * @returns the arena, with the payload at `image.base`.
   * @throws ArenaError when the image's range cannot be mapped there.
   */
  static load(memory: MemoryRegistry, image: Image32): Arena32 {
    const arena = Arena32.map(memory, image.bytes.byteLength + image.reserve, image.base);
    arena.bytes.set(image.bytes);
    return arena;
  }

  /**
   * The engine region the arena is registered as; null once it is retired (at close, or when
   * the last run that was in flight at close has ended).
   */
  get region(): Region | null {
    return this.#region;
  }

  /**
   * A DataView over the whole mapping; byte 0 is address `base`.
   * @throws ConversionError (EFAULT) once the arena is closed and no run is in flight.
   */
  get view(): DataView {
    return this.#view ?? this.#closedError();
  }

  /**
   * The whole mapping as bytes; index 0 is address `base`.
   * @throws ConversionError (EFAULT) once the arena is closed and no run is in flight.
   */
  get bytes(): Uint8Array {
    return this.#bytes ?? this.#closedError();
  }

  #closedError(): never {
    throw new ConversionError(-1, this.base, 'arena', 'EFAULT', 'the arena is closed');
  }

  /** Whether {@link close} was called (the arena may still be mapped for a run in flight). */
  get closed(): boolean {
    return this.#closed;
  }

  /**
   * @internal
   * beginRun - a run of a conversion in this arena starts: the arena stays registered and mapped
   * until the returned function is called, even if it is closed meanwhile.
   * @returns the function that ends the run (idempotent).
   * @throws ConversionError (EFAULT) when the arena is already closed.
   */
  beginRun(): () => void {
    if (this.#closed) throw new ConversionError(-1, this.base, 'arena', 'EFAULT', 'the arena is closed');
    this.#runs++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#runs === 0 && this.#closed) this.#retire();
    };
  }

  /** contains - whether [address, address + length) lies in the arena. */
  contains(address: number, length: number): boolean {
    return contains32(this, address, length);
  }

  /**
   * u32 - the unsigned 32-bit word at a 32-bit address.
   * @throws ConversionError (EFAULT) when the word is not in the arena.
   */
  u32(address: number): number {
    return this.view.getUint32(this.#offset(address, 4), true);
  }

  /** i32 - the signed 32-bit word at a 32-bit address. @throws ConversionError (EFAULT) outside the arena. */
  i32(address: number): number {
    return this.view.getInt32(this.#offset(address, 4), true);
  }

  /** setU32 - store a 32-bit word (taken modulo 2^32). @throws ConversionError (EFAULT) outside the arena. */
  setU32(address: number, value: number): void {
    this.view.setUint32(this.#offset(address, 4), value >>> 0, true);
  }

  /** read - a copy of [address, address + length). @throws ConversionError (EFAULT) outside the arena. */
  read(address: number, length: number): Uint8Array {
    const offset = this.#offset(address, length);
    return this.bytes.slice(offset, offset + length);
  }

  /** write - copy bytes in at a 32-bit address. @throws ConversionError (EFAULT) outside the arena. */
  write(address: number, data: Uint8Array): void {
    this.bytes.set(data, this.#offset(address, data.byteLength));
  }

  /**
   * close - unregister and unmap the arena. Idempotent. The accessors (u32, read, write...)
   * refuse at once; `view` and `bytes` throw once the arena is retired (a DataView or Uint8Array
   * taken from them before must not be used afterwards: it points at memory given back). The memory goes when nothing
   * can reach it any more: after every {@link runConverted} in flight has ended, and after every
   * chain that was on a cachemiss thread at that moment has finished (the registry's deferred
   * release), so neither a write-back nor a thread's copy of the region table touches unmapped
   * memory.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#runs === 0) this.#retire();
  }

  #retire(): void {
    const region = this.#region;
    const mapping = this.#mapping;
    if (region === null || mapping === null) return;
    this.#region = null;
    this.#mapping = null;
    this.#view = null;
    this.#bytes = null;
    // The property reads after this throw (hunt26: they were views over the unmapped memory,
    // SIGSEGV); a view taken before the close cannot be taken back (Node 20 cannot detach an
    // external ArrayBuffer), and keeping the mapping for it would keep its fixed base taken.
    this.#memory.release(region, () => void unmapLow(mapping));
  }

  /** Same as {@link Arena32.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }

  #offset(address: number, length: number): number {
    if (this.#closed) throw new ConversionError(-1, address, 'arena', 'EFAULT', 'the arena is closed');
    if (!this.contains(address, length)) {
      throw new ConversionError(-1, address, 'arena', 'EFAULT', `[${hex32(address)}, +${length}) lies outside the arena [${hex32(this.base)}, ${hex32(this.end)})`);
    }
    return address - this.base;
  }
}
