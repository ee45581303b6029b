/**
 * Where a sparse file's data is: lseek(SEEK_DATA) then lseek(SEEK_HOLE), as GNU cp does, so that
 * `cp` reads and writes only the data and leaves the holes as holes (a 2 GiB file of one hole
 * copies in milliseconds and stays 0 bytes on disk). Node has no lseek, so the two calls are a
 * two-atom syslet chain run by the engine: SEEK_DATA's result flows into SEEK_HOLE's offset, and
 * -ENXIO (no data after the offset) stops the chain at the first atom.
 */
import { ChainBuilder, SEEK_DATA, SEEK_HOLE, SYSLET_STOP_ON_NEGATIVE, type Engine } from '../index.js';

const ENXIO = 6;

/** One run of data: [start, end). */
export interface DataExtent {
  readonly start: number;
  readonly end: number;
}

/**
 * DataExtents - finds the data extents of one open file, one lookup per extent.
 *
 * File systems without hole support answer with the whole file as one extent (the kernel's
 * generic SEEK_DATA/SEEK_HOLE), so the copy then reads everything, as before.
 *
 * @example
 * ```ts
 * using extents = new DataExtents(aioEngine(), fd, size);
 * for (let at = extents.next(0); at !== null; at = extents.next(at.end)) copy(at.start, at.end);
 * ```
 */
export class DataExtents implements Disposable {
  readonly #engine: Engine;
  readonly #chain: ChainBuilder;
  readonly #offset;
  readonly #data;
  readonly #hole;
  readonly #first: number;
  readonly #size: number;
  // Set once lseek could not answer: from then on everything is data.
  #blind = false;

  /**
   * @param engine - the engine that runs the lookups (the POSIX layer's, for cp).
   * @param fd - the source, open for reading; its file position moves (the copy uses offsets).
   * @param size - the file's size: no extent goes past it.
   */
  constructor(engine: Engine, fd: number, size: number) {
    this.#engine = engine;
    this.#size = size;
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 2, dataBytes: 256 });
    this.#chain = chain;
    this.#offset = chain.cell(0);
    this.#data = chain.atom('lseek', [fd, this.#offset, SEEK_DATA], { flags: SYSLET_STOP_ON_NEGATIVE });
    this.#hole = chain.atom('lseek', [fd, this.#data, SEEK_HOLE]);
    this.#first = chain.first;
  }

  /**
   * next - the first extent of data at or after `offset`.
   *
   * @returns the extent (clipped to the size), or null when only holes follow. When lseek cannot
   *   tell (a file system without SEEK_DATA answers EINVAL, a narrowed engine EPERM), the rest of
   *   the file is one extent of data, as GNU cp then copies it: holes are an optimisation.
   */
  next(offset: number): DataExtent | null {
    if (offset >= this.#size) return null;
    if (this.#blind) return { start: offset, end: this.#size };
    this.#offset.value = offset;
    this.#engine.runChainSync(this.#first);
    const start = Number(this.#data.result.value);
    if (start === -ENXIO) return null;
    const end = start < 0 ? -1 : Number(this.#hole.result.value);
    if (start < 0 || end < 0) {
      this.#blind = true;
      return { start: offset, end: this.#size };
    }
    if (start >= this.#size) return null;
    return { start, end: Math.min(end, this.#size) };
  }

  /** Frees the chain's engine memory. */
  [Symbol.dispose](): void {
    this.#chain[Symbol.dispose]();
  }
}
