/**
 * Where one ring's request copies live (split from engine/uring-copies.ts by job): small copies
 * share a 256-byte slot per request (a slab with one slot per request the ring may hold); larger
 * ones (long iovec arrays, long paths) take a pooled block of a power-of-two size. The request
 * being prepared reserves room; its slot and blocks then belong to its chain's token until the
 * completion has been processed, and go back to the slab's free slots and the pool.
 */
import { allocNative, releaseNative, type NativeBlock } from './native/index.js';

/** Bytes of a request's slot. */
export const SLOT_BYTES = 256;
const NO_SLOT = -1;

/** The copy memory of the requests of one ring. Used by the one thread that owns the ring. */
export class CopySpace {
  readonly #capacity: number;
  #slab: NativeBlock | null = null;
  #slabView: DataView | null = null;
  readonly #freeSlots: number[] = [];
  readonly #pool = new Map<number, NativeBlock[]>();
  // The request being prepared.
  #slot = NO_SLOT;
  #used = 0;
  #blocks: NativeBlock[] = [];
  // Committed requests, by token.
  readonly #slots = new Int32Array(65536).fill(NO_SLOT);
  readonly #tokenBlocks: (NativeBlock[] | null)[] = [];

  /** @param capacity - the most requests the ring holds (one slot each). */
  constructor(capacity: number) {
    this.#capacity = capacity;
  }

  /** begin - a new request is being prepared: its slot (kept from the last, if any) starts empty. */
  begin(): void {
    this.#used = 0;
  }

  /** reserve - room for `length` bytes (8-byte aligned): in the request's slot, or in a pooled block. @returns its address. */
  reserve(length: number): number | null {
    const aligned = Math.ceil(length / 8) * 8;
    if (this.#used + aligned <= SLOT_BYTES) {
      if (this.#slot === NO_SLOT) this.#slot = this.#takeSlot();
      const at = (this.#slab as NativeBlock).address + this.#slot * SLOT_BYTES + this.#used;
      this.#used += aligned;
      return at;
    }
    let size = 4096;
    while (size < aligned) size *= 2;
    const block = this.#pool.get(size)?.pop() ?? allocNative(size, 64);
    this.#blocks.push(block);
    return block.address;
  }

  /** viewAt - a view and offset for an address in the request being prepared's memory (token -1) or `token`'s. */
  viewAt(address: number, token: number): { view: DataView; offset: number } | null {
    const slab = this.#slab;
    if (slab !== null && address >= slab.address && address < slab.address + slab.size) return { view: this.#slabView as DataView, offset: address - slab.address };
    const blocks = token >= 0 ? (this.#tokenBlocks[token] ?? []) : this.#blocks;
    for (const block of blocks) if (address >= block.address && address < block.address + block.size) return { view: new DataView(block.buffer), offset: address - block.address };
    return null;
  }

  /** abandon - the request being prepared will not be made: give its blocks back. */
  abandon(): void {
    for (const block of this.#blocks) this.#giveBack(block);
    this.#blocks = [];
    this.#used = 0;
  }

  /** commit - the request being prepared's slot and blocks are now the chain `token`'s, until {@link finish}. */
  commit(token: number): void {
    if (this.#used > 0 || this.#blocks.length > 0) {
      this.#slots[token] = this.#slot;
      this.#slot = NO_SLOT;
      this.#tokenBlocks[token] = this.#blocks.length > 0 ? this.#blocks : null;
      this.#blocks = [];
    }
    this.#used = 0;
  }

  /** finish - `token`'s request completed: its slot and blocks go back. */
  finish(token: number): void {
    const slot = this.#slots[token] as number;
    if (slot !== NO_SLOT) {
      this.#freeSlots.push(slot);
      this.#slots[token] = NO_SLOT;
    }
    const blocks = this.#tokenBlocks[token];
    if (blocks != null) {
      for (const block of blocks) this.#giveBack(block);
      this.#tokenBlocks[token] = null;
    }
  }

  /** release - free all native memory (the ring is gone). */
  release(): void {
    if (this.#slab !== null) releaseNative(this.#slab);
    this.#slab = null;
    for (const blocks of this.#pool.values()) for (const block of blocks) releaseNative(block);
    this.#pool.clear();
  }

  #takeSlot(): number {
    if (this.#slab === null) {
      this.#slab = allocNative(this.#capacity * SLOT_BYTES, 64);
      this.#slabView = new DataView(this.#slab.buffer);
      for (let slot = this.#capacity - 1; slot >= 0; slot--) this.#freeSlots.push(slot);
    }
    // The ring holds at most `capacity` requests, so a slot is always free here.
    return this.#freeSlots.pop() as number;
  }

  #giveBack(block: NativeBlock): void {
    let list = this.#pool.get(block.size);
    if (list === undefined) {
      list = [];
      this.#pool.set(block.size, list);
    }
    list.push(block);
  }
}
