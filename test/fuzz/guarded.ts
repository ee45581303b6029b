/**
 * Memory with canaries on both sides, for the concurrency and teardown fuzzers: every area a
 * chain may touch is surrounded by bytes no chain is ever given, checked after every case.
 *
 * - {@link GuardedArea}: a region of native memory registered with the engine, with CANARY bytes
 *   of 0xA5 before and after it in the same native block — a write past either end lands in them,
 *   never in someone else's memory.
 * - {@link PooledAreas}: small Buffers from Node's shared 8 KiB pool (Buffer.allocUnsafe), used
 *   and guard views interleaved. Registering one registers the whole pool (the engine knows
 *   backing stores), so the guards are inside engine memory: the fuzz never points a chain at
 *   them, and only races values that leave the pool altogether — a guard that changes means the
 *   kernel used a value nobody checked.
 */
import type { Engine } from '../../engine/engine.js';
import type { Region } from '../../engine/memory.js';
import { addressOf, allocNative, releaseNative, viewOf, type NativeBlock } from '../../engine/native/index.js';

/** Canary bytes on each side of a guarded area. */
export const CANARY = 4096;
/** The canary byte. */
export const CANARY_BYTE = 0xa5;

/** Something whose canaries can be checked. */
export interface Guarded {
  /** How many canary bytes differ from CANARY_BYTE. */
  damaged(): number;
  /** Put the canaries back (after a reported violation, so the next case starts clean). */
  restore(): void;
}

/** A registered area of native memory with canaries on both sides. */
export class GuardedArea implements Guarded {
  readonly start: number;
  readonly end: number;
  readonly size: number;
  readonly view: DataView;
  readonly bytes: Uint8Array;
  readonly region: Region;
  readonly #block: NativeBlock;
  readonly #canaries: Uint8Array[];

  constructor(engine: Engine, size: number) {
    this.#block = allocNative(CANARY + size + CANARY, 4096);
    this.start = this.#block.address + CANARY;
    this.end = this.start + size;
    this.size = size;
    const buffer = viewOf(this.start, size);
    this.region = engine.memory.registerNative({ address: this.start, size, buffer }, 'registered');
    this.view = new DataView(buffer);
    this.bytes = new Uint8Array(buffer);
    this.#canaries = [new Uint8Array(viewOf(this.#block.address, CANARY)), new Uint8Array(viewOf(this.end, CANARY))];
    this.restore();
  }

  damaged(): number {
    let count = 0;
    for (const canary of this.#canaries) for (const byte of canary) if (byte !== CANARY_BYTE) count++;
    return count;
  }

  restore(): void {
    for (const canary of this.#canaries) canary.fill(CANARY_BYTE);
  }

  /**
   * release - forget the area and free its block. Only once no chain can reach it: the engine
   * keeps its own deferral for regions it allocated, not for native blocks registered like this.
   */
  release(engine: Engine): void {
    engine.memory.release(this.region);
    releaseNative(this.#block);
  }
}

/** Views carved from Node's Buffer pool, each followed by a guard view of canary bytes. */
export class PooledAreas implements Guarded {
  /** The views chains may use. */
  readonly views: Buffer[] = [];
  readonly #guards: Buffer[] = [];

  /**
   * @param sizes - one view per size (each below 4 KiB, so Buffer.allocUnsafe takes it from the pool).
   * @param guard - the bytes of each guard view.
   */
  constructor(sizes: readonly number[], guard = 64) {
    for (const size of sizes) {
      this.views.push(Buffer.allocUnsafe(size).fill(0));
      this.#guards.push(Buffer.allocUnsafe(guard).fill(CANARY_BYTE));
    }
  }

  /** Whether every view shares one backing pool (when the pool ran out midway, it may not). */
  get pooled(): boolean {
    const first = this.views[0]?.buffer;
    return first !== undefined && first.byteLength > 4096 && this.views.every((view) => view.buffer === first);
  }

  /** The address of view `i`'s first byte. */
  address(i: number): number {
    const view = this.views[i];
    if (view === undefined) throw new RangeError(`no pooled view ${i}`);
    return addressOf(view);
  }

  /** Register the views with an engine (each registers its whole backing pool). */
  register(engine: Engine): void {
    for (const view of this.views) engine.register(view);
  }

  damaged(): number {
    let count = 0;
    for (const guard of this.#guards) for (const byte of guard) if (byte !== CANARY_BYTE) count++;
    return count;
  }

  restore(): void {
    for (const guard of this.#guards) guard.fill(CANARY_BYTE);
  }
}
