/**
 * Shadow cells: the 64-bit words the converted chain reads its arguments from and writes its
 * results to. Every 32-bit word that an atom uses as an argument or result maps to exactly one
 * 64-bit cell, so the dataflow of the 32-bit program survives conversion: an earlier atom's
 * result (an fd, a byte count) lands in a cell that a later atom's argument pointer points at,
 * just as it would have flowed through the shared 32-bit word. A split 64-bit offset (two 32-bit
 * words, low and high) maps to one joined cell holding the whole offset.
 */
import { ConversionError, hex32 } from './errors.js';
import type { Space32 } from './arena.js';
import type { Widen } from './structs.js';

/** One 64-bit cell and what it stands for in 32-bit memory. */
export interface Cell {
  /** Offset in the conversion's engine memory. */
  readonly offset: number;
  /** The value it starts with: the 32-bit word(s) widened, or a translated pointer. */
  readonly initial: bigint;
  /** `word`: one 32-bit word; `joined`: a low/high pair; `constant`: nothing in 32-bit memory. */
  readonly kind: 'word' | 'joined' | 'constant';
  /** The 32-bit word (low word for joined cells), 0 for constants. */
  readonly lo: number;
  /** The high word of a joined cell, 0 when the high half was a NULL argument (then it is 0). */
  readonly hi: number;
  /** For constants: `initial` is an offset in the conversion's engine memory, to be added to its address. */
  readonly relative: boolean;
  /** Whether some atom writes it (a result, or a umem_add target): only those are copied back. */
  written: boolean;
}

/** Where in a 32-bit atom a use comes from, for error messages. */
export interface UseSite {
  readonly atomIndex: number;
  readonly atomAddress: number;
  readonly field: string;
}

/** Hands out 8-byte cells and other blocks in one engine allocation, and keeps the word → cell map. */
export class CellAllocator {
  #size: number;
  readonly #space: Space32;
  readonly #words = new Map<number, Cell>();
  readonly #joinedLo = new Map<number, Cell>();
  readonly #joinedHi = new Map<number, Cell>();
  readonly cells: Cell[] = [];

  /** @param space - the 32-bit memory; @param start - first free offset (after the atoms). */
  constructor(space: Space32, start: number) {
    this.#space = space;
    this.#size = start;
  }

  /** Bytes used so far. */
  get size(): number {
    return this.#size;
  }

  /** reserve - an 8-byte-aligned block of `bytes`; @returns its offset. */
  reserve(bytes: number): number {
    const offset = this.#size;
    this.#size += Math.ceil(bytes / 8) * 8;
    return offset;
  }

  /**
   * declareJoined - make (lo, hi) a split offset. Called for every split argument before any
   * other use, so that a later plain use of either half is recognised as a conflict.
   */
  declareJoined(lo: number, hi: number, site: UseSite): void {
    const existing = this.#joinedLo.get(lo);
    if (existing !== undefined) {
      if (existing.hi !== hi) throw conflict(site, lo, `is the low half of a split offset whose high half is ${hex32(existing.hi)}, not ${hex32(hi)}`);
      return;
    }
    if (this.#joinedHi.has(lo) || (hi !== 0 && (this.#joinedLo.has(hi) || this.#joinedHi.has(hi)))) {
      throw conflict(site, lo, 'split offsets overlap');
    }
    const value = BigInt(this.#u32(lo)) | (hi === 0 ? 0n : BigInt(this.#u32(hi)) << 32n);
    const cell: Cell = { offset: this.reserve(8), initial: BigInt.asIntN(64, value), kind: 'joined', lo, hi, relative: false, written: false };
    this.cells.push(cell);
    this.#joinedLo.set(lo, cell);
    if (hi !== 0) this.#joinedHi.set(hi, cell);
  }

  /** joined - the joined cell whose low word is `lo`. */
  joined(lo: number): Cell | undefined {
    return this.#joinedLo.get(lo);
  }

  /**
   * word - the cell of a plain 32-bit word, created on first use with that use's widening.
   * @throws ConversionError (EINVAL) when the word is half of a split offset.
   */
  word(address: number, widen: Widen, site: UseSite): Cell {
    if (this.#joinedLo.has(address) || this.#joinedHi.has(address)) {
      throw conflict(site, address, 'is half of a split 64-bit offset and cannot also be used as a 32-bit word');
    }
    let cell = this.#words.get(address);
    if (cell === undefined) {
      const raw = this.#u32(address);
      const initial = widen === 'sign' ? BigInt(raw | 0) : BigInt(raw);
      cell = { offset: this.reserve(8), initial, kind: 'word', lo: address, hi: 0, relative: false, written: false };
      this.cells.push(cell);
      this.#words.set(address, cell);
    }
    return cell;
  }

  /**
   * counter - the cell a 32-bit umem_add target maps to: the joined cell when the word is the low
   * half of a split offset (the add then carries into the high half), else its word cell.
   * @throws ConversionError (EINVAL) for the high half of a split offset.
   */
  counter(address: number, site: UseSite): Cell {
    const joined = this.#joinedLo.get(address);
    if (joined !== undefined) return joined;
    if (this.#joinedHi.has(address)) throw conflict(site, address, 'is the high half of a split offset; umem_add must target the low half');
    return this.word(address, 'zero', site);
  }

  /**
   * constant - a cell holding a fixed 64-bit value: a zero for an argument gap, or (with
   * `relative`) the address of something in the conversion's engine memory, given as its offset.
   */
  constant(value: bigint, relative = false): Cell {
    const cell: Cell = { offset: this.reserve(8), initial: value, kind: 'constant', lo: 0, hi: 0, relative, written: false };
    this.cells.push(cell);
    return cell;
  }

  #u32(address: number): number {
    return this.#space.view.getUint32(address - this.#space.base, true);
  }
}

function conflict(site: UseSite, address: number, detail: string): ConversionError {
  return new ConversionError(site.atomIndex, site.atomAddress, site.field, 'EINVAL', `word ${hex32(address)} ${detail}`);
}
