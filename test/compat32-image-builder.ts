/**
 * A tiny i386 image assembler for the compat32 unit tests: lays out words, strings and 44-byte
 * atoms at 32-bit addresses from a base, the way a 32-bit program would, and produces the image
 * file. Offsets come from compat32/layouts.ts (checked against gcc -m32 by its own test).
 */
import { serializeImage } from '../compat32/image.js';
import { UATOM32 } from '../compat32/layouts.js';

/** One atom to lay out. `next`/`ret`/`args` are 32-bit addresses (0 = NULL). */
export interface AtomSpec32 {
  nr: number;
  flags?: number;
  ret?: number;
  next?: number;
  args?: number[];
  private?: number;
}

export class ImageBuilder {
  readonly base: number;
  readonly bytes: Uint8Array;
  readonly view: DataView;
  used = 0;

  constructor(base = 0xa0000000, size = 0x4000) {
    this.base = base;
    this.bytes = new Uint8Array(size);
    this.view = new DataView(this.bytes.buffer);
  }

  /** Reserve `size` bytes aligned to `align`; returns the 32-bit address. */
  take(size: number, align = 4): number {
    this.used = Math.ceil(this.used / align) * align;
    const address = this.base + this.used;
    this.used += size;
    if (this.used > this.bytes.length) throw new RangeError('image builder full');
    return address;
  }

  word(value: number): number {
    const address = this.take(4);
    this.setWord(address, value);
    return address;
  }

  setWord(address: number, value: number): void {
    this.view.setUint32(address - this.base, value >>> 0, true);
  }

  getWord(address: number): number {
    return this.view.getUint32(address - this.base, true);
  }

  string(text: string): number {
    const encoded = new TextEncoder().encode(`${text}\0`);
    const address = this.take(encoded.length, 1);
    this.bytes.set(encoded, address - this.base);
    return address;
  }

  /** Reserve room for `count` consecutive atoms; returns their addresses. */
  atoms(count: number): number[] {
    const first = this.take(UATOM32.size * count);
    return Array.from({ length: count }, (_, i) => first + i * UATOM32.size);
  }

  setAtom(address: number, atom: AtomSpec32): void {
    const f = UATOM32.fields;
    this.setWord(address + f.flags.offset, atom.flags ?? 0);
    this.setWord(address + f.nr.offset, atom.nr);
    this.setWord(address + f.ret_ptr.offset, atom.ret ?? 0);
    this.setWord(address + f.next.offset, atom.next ?? 0);
    for (let i = 0; i < 6; i++) this.setWord(address + f.arg_ptr.offset + i * 4, atom.args?.[i] ?? 0);
    this.setWord(address + f.private.offset, atom.private ?? 0);
  }

  /** The image file, entry at `entry`. */
  file(entry: number, reserve = 0): Uint8Array {
    return serializeImage({ base: this.base, entry, bytes: this.bytes.subarray(0, Math.ceil(this.used / 4096) * 4096 || 4096), reserve });
  }
}
