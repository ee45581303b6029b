/**
 * The chain builder: lays out 64-bit atoms, argument cells and buffers in one region of engine
 * memory, exactly as `struct syslet_uatom` chains, so nobody writes offsets by hand. Atoms are
 * placed contiguously in creation order (SYSLET_SKIP_TO_NEXT_ON_STOP jumps to the next one in
 * memory) and linked in that order unless told otherwise.
 *
 * @example
 * ```ts
 * const chain = new ChainBuilder(engine.memory);
 * const fd = chain.cell(3);
 * const buf = chain.buffer(4096);
 * const read = chain.atom('pread64', [fd, buf, 4096, 0], { flags: SYSLET_STOP_ON_NEGATIVE });
 * chain.atom('close', [fd]);
 * engine.async_exec(chain.first);
 * read.result.value; // bytes read, or -errno
 * ```
 */
import type { Word } from './native/index.js';
import type { MemoryRegistry, Region } from './memory.js';
import { ATOM, MAX_ARGS } from './atom.js';
import { readWord, setWord } from './words.js';
import { syscallByName } from './syscalls/table.js';
import { SysletError } from './errors.js';

/**
 * Whether a builder's memory was given back ([Symbol.dispose]): its cells and buffers are views
 * over that memory, which is then freed, so every use after checks this first (hunt26: reads
 * answered heap garbage, writes corrupted the allocator, and with a 1 MiB data area each was a
 * SIGSEGV). A Uint8Array taken from `Bytes.bytes` before the dispose cannot be taken back.
 */
interface Lifetime {
  disposed: boolean;
}

/** A lifetime that never ends (a Cell made over a region the caller keeps). */
const FOREVER: Lifetime = { disposed: false };

function disposedError(what: string): SysletError {
  return new SysletError('EFAULT', `${what}: the chain builder was disposed and its memory given back`);
}

/** A 64-bit word in engine memory: an argument, a result, a loop counter. */
export class Cell {
  readonly #region: Region;
  readonly #lifetime: Lifetime;
  /** Its address. */
  readonly at: number;

  /** @param lifetime - its builder's (internal; a cell of a region the caller keeps has none). */
  constructor(region: Region, at: number, lifetime: Lifetime = FOREVER) {
    this.#region = region;
    this.#lifetime = lifetime;
    this.at = at;
  }

  /** Its address as a bigint (the C view). */
  get address(): bigint {
    return BigInt(this.at);
  }

  /** The word, signed (a number when exact, else a bigint). @throws SysletError EFAULT after its builder's dispose. */
  get value(): Word {
    if (this.#lifetime.disposed) throw disposedError('Cell.value');
    return readWord(this.#region.view, this.at - this.#region.start);
  }

  /**
   * @throws RangeError for a number that is not a safe integer, or a bigint outside 64 bits;
   *   SysletError EFAULT after its builder's dispose.
   */
  set value(value: Word) {
    if (this.#lifetime.disposed) throw disposedError('Cell.value');
    setWord(this.#region.view, this.at - this.#region.start, checkWord(value, 'cell value'));
  }

  /**
   * A reference to this cell as an argument: the argument's value is the cell's address (what
   * umem_add's counter pointer or an out-parameter wants), not its content.
   */
  get ref(): {
    /** The cell's address. */
    readonly address: number;
  } {
    return { address: this.at };
  }

  /** The word as a number (loses precision beyond 2^53). */
  get number(): number {
    return Number(this.value);
  }
}

/** Bytes in engine memory. */
export class Bytes {
  /** Their address. */
  readonly at: number;
  readonly #bytes: Uint8Array;
  readonly #lifetime: Lifetime;

  /** @param lifetime - its builder's (internal). */
  constructor(at: number, bytes: Uint8Array, lifetime: Lifetime = FOREVER) {
    this.at = at;
    this.#bytes = bytes;
    this.#lifetime = lifetime;
  }

  /** A view of them. @throws SysletError EFAULT after its builder's dispose. */
  get bytes(): Uint8Array {
    if (this.#lifetime.disposed) throw disposedError('Bytes.bytes');
    return this.#bytes;
  }

  /** Their address as a bigint (the C view). */
  get address(): bigint {
    return BigInt(this.at);
  }

  /** Their length in bytes. */
  get length(): number {
    return this.#bytes.length;
  }
}

/** One atom of a chain. */
export interface AtomRef {
  /** Its position in the chain, from 0, in creation order. */
  readonly index: number;
  /** The atom's address. */
  readonly at: number;
  /** The cell its ret_ptr points at. */
  readonly result: Cell;
  /** The syscall name (or `nr <n>` for a raw number). */
  readonly name: string;
}

/**
 * An argument: a literal (a new cell holds it), a Cell (shared: read at execution time), Bytes
 * (a new cell holds their address), an earlier atom (its result cell — the fd from openat feeds
 * pread64), `{ address }` (a cell holding that address), or `null` (a NULL arg_ptr: the kernel
 * stops reading arguments there).
 */
export type ArgInput =
  | number
  | bigint
  | Cell
  | Bytes
  | AtomRef
  | {
      /** An address: a new cell holds it, and the argument is that value. */
      readonly address: number | bigint;
    }
  | null;

/** Per-atom settings. */
export interface AtomOptions {
  /** SYSLET_* flags (default 0). */
  readonly flags?: number;
  /** Where the result goes (default: a new cell). `null` makes ret_ptr NULL. */
  readonly ret?: Cell | null;
  /** The private word, which the engine never touches. */
  readonly private?: number | bigint;
}

/** Builder settings. */
export interface ChainBuilderOptions {
  /** Most atoms (default 16). */
  readonly maxAtoms?: number;
  /** Bytes for cells and buffers (default 16 KiB). */
  readonly dataBytes?: number;
}

/** Lays out one chain in its own engine region. */
export class ChainBuilder implements Disposable {
  readonly #memory: MemoryRegistry;
  /** The engine region holding the atoms, then the cells and buffers; released by `[Symbol.dispose]`. */
  readonly region: Region;
  readonly #maxAtoms: number;
  readonly #atoms: AtomRef[] = [];
  readonly #explicitNext = new Set<number>();
  #dataOffset: number;
  readonly #lifetime: Lifetime = { disposed: false };

  constructor(memory: MemoryRegistry, options: ChainBuilderOptions = {}) {
    this.#memory = memory;
    this.#maxAtoms = options.maxAtoms ?? 16;
    const dataBytes = options.dataBytes ?? 16384;
    this.region = memory.allocate(this.#maxAtoms * ATOM.size + dataBytes);
    this.#dataOffset = this.#maxAtoms * ATOM.size;
  }

  /** The atoms laid out so far. */
  get atoms(): readonly AtomRef[] {
    return this.#atoms;
  }

  /** The first atom's address (what async_exec takes). @throws RangeError when there is none. */
  get first(): number {
    const first = this.#atoms[0];
    if (first === undefined) throw new RangeError('the chain has no atoms');
    return first.at;
  }

  /** cell - a new 64-bit cell holding `value`. @throws RangeError for a non-integer or out-of-range value. */
  cell(value: Word = 0): Cell {
    checkWord(value, 'cell value');
    const at = this.#reserve(8, 8);
    const cell = new Cell(this.region, at, this.#lifetime);
    cell.value = value;
    return cell;
  }

  /** buffer - `size` zeroed bytes, or a copy of `content`, 64-byte aligned. */
  buffer(content: number | Uint8Array): Bytes {
    const size = typeof content === 'number' ? content : content.length;
    const at = this.#reserve(Math.max(size, 1), 64);
    const bytes = new Uint8Array(this.region.bytes.buffer, this.region.bytes.byteOffset + (at - this.region.start), size);
    if (typeof content !== 'number') bytes.set(content);
    return new Bytes(at, bytes, this.#lifetime);
  }

  /** cstring - a NUL-terminated copy of `text` (a path, say). */
  cstring(text: string): Bytes {
    const encoded = new TextEncoder().encode(text);
    const bytes = this.buffer(encoded.length + 1);
    bytes.bytes.set(encoded);
    return new Bytes(bytes.at, bytes.bytes.subarray(0, encoded.length + 1), this.#lifetime);
  }

  /**
   * atom - append an atom.
   *
   * @param call - a syscall name from the table, or a raw x86-64 number (tests, fuzzing).
   * @param args - up to six arguments (see {@link ArgInput}).
   * @throws RangeError for an unknown name, too many atoms or arguments, or a full data area.
   */
  atom(call: string | number, args: readonly ArgInput[] = [], options: AtomOptions = {}): AtomRef {
    this.#live('ChainBuilder.atom');
    if (this.#atoms.length >= this.#maxAtoms) throw new RangeError(`chain is full (${this.#maxAtoms} atoms)`);
    if (args.length > MAX_ARGS) throw new RangeError(`at most ${MAX_ARGS} arguments, got ${args.length}`);
    let nr: number;
    let name: string;
    if (typeof call === 'number') {
      nr = call;
      name = `nr ${call}`;
    } else {
      const spec = syscallByName(call);
      if (spec === undefined || spec.x86_64 < 0) throw new RangeError(`unknown syscall '${call}'`);
      nr = spec.x86_64;
      name = call;
    }
    const index = this.#atoms.length;
    const at = this.region.start + index * ATOM.size;
    const view = this.region.view;
    const base = at - this.region.start;
    const result = options.ret === null ? new Cell(this.region, 0, this.#lifetime) : (options.ret ?? this.cell(0));
    setWord(view, base + ATOM.flags, options.flags ?? 0);
    setWord(view, base + ATOM.nr, nr);
    setWord(view, base + ATOM.ret_ptr, options.ret === null ? 0 : result.at);
    setWord(view, base + ATOM.next, 0);
    for (let i = 0; i < MAX_ARGS; i++) setWord(view, base + ATOM.arg_ptr + i * 8, i < args.length ? this.#argPointer(args[i] ?? null) : 0);
    setWord(view, base + ATOM.private, options.private ?? 0);
    const ref: AtomRef = { index, at, result, name };
    const previous = this.#atoms[index - 1];
    if (previous !== undefined && !this.#explicitNext.has(previous.index)) setWord(view, previous.at - this.region.start + ATOM.next, at);
    this.#atoms.push(ref);
    return ref;
  }

  /** link - set `from.next` explicitly (a loop back, or `null` to end the chain there). */
  link(from: AtomRef, to: AtomRef | null): void {
    this.#live('ChainBuilder.link');
    this.#explicitNext.add(from.index);
    setWord(this.region.view, from.at - this.region.start + ATOM.next, to === null ? 0 : to.at);
  }

  /** setFlags - change an atom's flags after it was laid out. */
  setFlags(atom: AtomRef, flags: number): void {
    this.#live('ChainBuilder.setFlags');
    setWord(this.region.view, atom.at - this.region.start + ATOM.flags, flags);
  }

  /** setArgPointer - point argument `index` of `atom` at an arbitrary address (tests of confinement). */
  setArgPointer(atom: AtomRef, index: number, address: Word): void {
    this.#live('ChainBuilder.setArgPointer');
    setWord(this.region.view, atom.at - this.region.start + ATOM.arg_ptr + index * 8, address);
  }

  /** setWordAt - write a raw word into an atom field (`'next'`, `'ret_ptr'`, `'nr'`...). */
  setField(atom: AtomRef, field: 'flags' | 'nr' | 'ret_ptr' | 'next' | 'private', value: Word): void {
    this.#live('ChainBuilder.setField');
    setWord(this.region.view, atom.at - this.region.start + ATOM[field], value);
  }

  /** Release the chain's memory; its cells, buffers and this builder refuse every use after (SysletError EFAULT). Idempotent. */
  [Symbol.dispose](): void {
    if (this.#lifetime.disposed) return;
    this.#lifetime.disposed = true;
    this.#memory.release(this.region);
  }

  #argPointer(arg: ArgInput): Word {
    if (arg === null) return 0;
    if (arg instanceof Cell) return arg.at;
    if (arg instanceof Bytes) return this.cell(arg.at).at;
    if (typeof arg === 'number' || typeof arg === 'bigint') return this.cell(arg).at;
    if ('result' in arg) return arg.result.at;
    return this.cell(typeof arg.address === 'bigint' ? arg.address : arg.address).at;
  }

  /** @throws SysletError EFAULT once disposed: every write goes into the builder's region. */
  #live(what: string): void {
    if (this.#lifetime.disposed) throw disposedError(what);
  }

  #reserve(size: number, alignment: number): number {
    this.#live('ChainBuilder');
    const offset = Math.ceil(this.#dataOffset / alignment) * alignment;
    if (offset + size > this.region.end - this.region.start) throw new RangeError('chain data area is full');
    this.#dataOffset = offset + size;
    return this.region.start + offset;
  }
}

/**
 * checkWord - a value that fits a 64-bit word exactly: a safe integer, or a bigint from -2^63 to
 * 2^64 - 1. A fraction, NaN or a rounded number would be stored as something the caller did not mean.
 * @throws RangeError naming `field`.
 */
export function checkWord(value: Word, field: string): Word {
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new RangeError(`${field} must be a safe integer or a bigint, got ${String(value)}`);
  } else if (typeof value !== 'bigint' || value < -(2n ** 63n) || value >= 2n ** 64n) {
    throw new RangeError(`${field} must fit in 64 bits, got ${String(value)}`);
  }
  return value;
}
