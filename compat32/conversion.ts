/**
 * A converted chain (what {@link convertChain} in convert.ts returns): its 64-bit image in engine
 * memory, the per-atom record of what became of each 32-bit argument, and the write-back of results
 * and out-structs into 32-bit memory once the chain has completed. Split from convert.ts, which
 * keeps the conversion rules.
 */
import type { MemoryRegistry, Region } from '../engine/memory.js';
import { Arena32, type Space32 } from './arena.js';
import type { Atom32, Chain32 } from './chain32.js';
import type { Cell } from './cells.js';
import { ConversionError } from './errors.js';
import type { StructPlan } from './struct-args.js';
import type { ArgRule } from './arg-rule.js';

/** One converted argument: where it came from in 32-bit memory and where the 64-bit atom reads it. */
export interface ConvertedArg {
  /** The 64-bit argument index. */
  readonly index64: number;
  /** The 32-bit words it came from (two for a split offset, none for a gap). */
  readonly words32: readonly number[];
  /** Their values when the chain was converted. */
  readonly values32: readonly number[];
  /** How the 64-bit value was produced from the 32-bit words. */
  readonly rule: ArgRule;
  /** The address of the 64-bit cell the 64-bit atom's arg_ptr points at. */
  readonly cell64: number;
  /** The cell's value when the chain was converted. */
  readonly value64: bigint;
}

/** One atom, before and after. */
export interface ConvertedAtom {
  /** The 32-bit atom as read. */
  readonly atom32: Atom32;
  /** The address of the 88-byte 64-bit atom in engine memory. */
  readonly address64: number;
  /** The x86-64 syscall number it was translated to. */
  readonly nr64: number;
  /** The x86-64 call's table name. */
  readonly name64: string;
  /** Each 64-bit argument and where it came from, by 64-bit argument index. */
  readonly args: readonly ConvertedArg[];
  /** The result cell's address, 0 when the atom has no ret_ptr. */
  readonly retCell64: number;
  /** The 64-bit next pointer (0 ends the chain). */
  readonly next64: number;
}

/** What {@link Conversion.writeBack} copied. */
export interface WriteBackReport {
  /** 32-bit words written (results, umem targets; a joined cell counts two). */
  readonly words: number;
  /** Out-structs converted back (stat64, timespec, msghdr). */
  readonly structs: number;
}

/**
 * Conversion - a 32-bit chain's 64-bit image in engine memory, with the shadow cells and
 * converted structs it reads and writes. Dispose it to free that memory. Disposing it while a
 * {@link runConverted} of it is in flight is safe: the memory is released when that run ends.
 */
export class Conversion implements Disposable {
  /** The 32-bit chain as read. */
  readonly chain: Chain32;
  /** Atoms in reading order (index = the 32-bit atom's index). */
  readonly atoms: readonly ConvertedAtom[];
  /** Address of the 64-bit entry atom: what to hand to the engine. */
  readonly entry64: number;
  /** How long reading and converting took, in nanoseconds. */
  readonly conversionNs: number;
  /** Bytes of engine memory the 64-bit image uses. */
  readonly bytes64: number;
  #region: Region | null;
  // Runs in flight (see beginRun) and whether close was asked for meanwhile.
  #runs = 0;
  #closed = false;
  readonly #memory: MemoryRegistry;
  readonly #space: Space32;
  readonly #cells: readonly Cell[];
  readonly #structs: readonly StructPlan[];
  readonly #byAddress64: Map<number, ConvertedAtom>;

  /** @internal Built by {@link convertChain}. */
  constructor(chain: Chain32, atoms: readonly ConvertedAtom[], entry64: number, region: Region, memory: MemoryRegistry, space: Space32, cells: readonly Cell[], structs: readonly StructPlan[], conversionNs: number) {
    this.chain = chain;
    this.atoms = atoms;
    this.entry64 = entry64;
    this.conversionNs = conversionNs;
    this.bytes64 = region.end - region.start;
    this.#region = region;
    this.#memory = memory;
    this.#space = space;
    this.#cells = cells;
    this.#structs = structs;
    this.#byAddress64 = new Map(atoms.map((atom) => [atom.address64, atom]));
  }

  /** atomAt64 - the converted atom at a 64-bit address (e.g. a completion's `last`), or undefined. */
  atomAt64(address64: number): ConvertedAtom | undefined {
    return this.#byAddress64.get(address64);
  }

  /**
   * cell64 - the current value of a 64-bit cell of this conversion (a result cell, an argument cell).
   * @throws ConversionError (EFAULT) for an address outside the conversion's memory, or after close.
   */
  cell64(address64: number): bigint {
    const region = this.#region;
    if (region === null || address64 < region.start || address64 + 8 > region.end) {
      throw new ConversionError(-1, address64, 'cell64', 'EFAULT', 'not a cell of this conversion');
    }
    return region.view.getBigInt64(address64 - region.start, true);
  }

  /**
   * writeBack - copy what the 64-bit chain produced into 32-bit memory: every written cell
   * (results and umem targets) truncated to 32 bits (joined cells into both halves), then every
   * out-struct converted back. Call it once the chain has completed; calling it again rewrites
   * the same values.
   *
   * @returns counts of what was copied.
   * @throws ConversionError (EFAULT) after {@link close}.
   */
  writeBack(): WriteBackReport {
    const region = this.#region;
    if (region === null) throw new ConversionError(-1, 0, 'writeBack', 'EFAULT', 'the conversion is closed');
    // An arena that is retired may be unmapped already: writing into it would be a SIGSEGV.
    if (this.#space instanceof Arena32 && this.#space.region === null) {
      throw new ConversionError(-1, this.#space.base, 'writeBack', 'EFAULT', 'the arena is closed');
    }
    const target = this.#space.view;
    const base = this.#space.base;
    let words = 0;
    for (const cell of this.#cells) {
      if (!cell.written) continue;
      const value = BigInt.asUintN(64, region.view.getBigInt64(cell.offset, true));
      target.setUint32(cell.lo - base, Number(value & 0xffff_ffffn), true);
      words++;
      if (cell.kind === 'joined' && cell.hi !== 0) {
        target.setUint32(cell.hi - base, Number(value >> 32n), true);
        words++;
      }
    }
    let structs = 0;
    for (const plan of this.#structs) {
      if (plan.back === null) continue;
      plan.back({ view: region.view, offset: plan.offset }, this.#space);
      structs++;
    }
    return { words, structs };
  }

  /**
   * @internal
   * beginRun - a run of this conversion starts (runConverted calls it): the conversion and its
   * arena stay usable until the returned function is called, even if either is closed meanwhile.
   * @returns the function that ends the run (idempotent).
   * @throws ConversionError (EFAULT) when the conversion or its arena is closed.
   */
  beginRun(): () => void {
    if (this.#closed) throw new ConversionError(-1, 0, 'run', 'EFAULT', 'the conversion is closed');
    const endArenaRun = this.#space instanceof Arena32 ? this.#space.beginRun() : null;
    this.#runs++;
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      if (--this.#runs === 0 && this.#closed) this.#release();
      endArenaRun?.();
    };
  }

  /**
   * close - free the engine memory. Idempotent. With a {@link runConverted} in flight, the
   * memory is released when that run has ended (write-back included); a chain started some
   * other way (engine.runChain) keeps it mapped until it finishes, by the registry's deferred
   * release, but its cells can no longer be read or written back.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#runs === 0) this.#release();
  }

  #release(): void {
    if (this.#region === null) return;
    this.#memory.release(this.#region);
    this.#region = null;
  }

  /** Same as {@link Conversion.close}, for `using`. */
  [Symbol.dispose](): void {
    this.close();
  }
}
