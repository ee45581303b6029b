/**
 * Decoded atoms, for the executor (engine/executor.ts, engine/atom-call.ts): what an atom's
 * header and argument pointers say — its flags, call, result cell, next atom, the argument cells
 * and the regions all of those lie in — kept per atom address, so that a canned chain run again
 * and again (a POSIX request's plugin instance) is not decoded again on every run.
 *
 * A decoded atom is used only when the atom still holds the very words it was decoded from:
 * every run reads the header and argument-pointer words (as many as decoding read) and compares
 * them with the ones kept. Anything may have rewritten them since — a chain's result cell, read
 * buffer or umem_add aimed at engine memory, on this thread, a cachemiss thread or through the
 * ring; the program through a region's DataView (engine.memory is public) — and a word that
 * differs is decoded afresh, so nothing is trusted that was not read in this run. The regions
 * kept are used only while the registry's version has not moved (no region has gone since).
 * What the atom's arguments point AT (the values) is still read when the atom runs; the policy,
 * the stop flags and the limits are still applied on every run.
 *
 * Only an ordinary atom is decoded: known flag bits, a call of the compiled table, a result cell
 * and argument cells that lie in engine memory, a next that is NULL or lies in it. Anything
 * else (a fault, an unknown call) is left to the executor's generic path, which reports it.
 *
 * The hot path allocates nothing: entries are made once per slot and overwritten.
 */
import { ATOM, MAX_ARGS, SYSLET_VALID_FLAGS } from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { CompiledSyscall } from './compiled-table.js';

/**
 * Entries kept (a power of two: the address's bits index them), two ways per slot pair. A POSIX
 * loop at QD64 runs some 256 atoms in turn (128 instances of two): direct-mapped into 1024
 * slots, about 30 pairs of them collided and were decoded again on every run.
 */
const SLOTS = 4096;
const SLOT_SHIFT = 32 - 12;
/** The int32 words of an atom a decode can depend on: flags, nr, ret_ptr, next, six arg_ptr. */
const ATOM_INT32S = (ATOM.arg_ptr + MAX_ARGS * 8) / 4;

/** One atom, decoded (see the module's comment). Its fields are valid only as {@link AtomDecoder.get} returned it. */
export class DecodedAtom {
  /** The atom's address; -1 while the entry is empty. */
  address = -1;
  /** The registry's version when it was decoded. */
  version = -1;
  /** The region holding the atom. */
  region: Region | null = null;
  /** The atom's words as decoded: its first {@link wordCount} int32s. */
  readonly words = new Int32Array(ATOM_INT32S);
  /**
   * The same words as float64s (one store with {@link words}). Every word a decode accepts is a
   * non-negative integer below 2^53 — flags, a call number, addresses — whose bit pattern as a
   * double is a finite, non-negative number: two such doubles are equal only when their bits
   * are, except that -0 (a word of 2^63) equals 0. So the words are compared as doubles, half as
   * many reads, and a word that is 0 also by its high half. ({@link wordCount} is always even:
   * the header's eight int32s, then whole argument pointers.)
   */
  readonly words64 = new Float64Array(this.words.buffer);
  /** The atom's words in place as float64s (null when the atom is not 8-byte aligned in its buffer). */
  live64: Float64Array | null = null;
  /**
   * The atom's words in place, as int32s (null when the atom is not 4-byte aligned in its
   * buffer): compared on use through a typed array, which costs a fraction of a DataView read.
   */
  live: Int32Array | null = null;
  /** Int32 words compared on use: the header's eight, then each argument pointer up to and with the first NULL. */
  wordCount = 0;
  /** The flags (known bits only). */
  flags = 0;
  /** The call number and its compiled row. */
  nr = 0;
  compiled: CompiledSyscall | null = null;
  /** Result cell (0: none) and its region. */
  ret = 0;
  retRegion: Region | null = null;
  /** The result cell in place as two int32s (null: none, or not 4-byte aligned): where an int32 result is stored. */
  retCell: Int32Array | null = null;
  /** Next atom (0: the chain ends) and its region. */
  next = 0;
  nextRegion: Region | null = null;
  /** Argument pointers before the first NULL, and the regions of their cells. */
  argCount = 0;
  readonly argPointers = new Float64Array(MAX_ARGS);
  readonly argRegions: (Region | null)[] = [null, null, null, null, null, null];
  /** Each argument cell in place as two int32s (null where it is not 4-byte aligned): read through it when the atom runs. */
  readonly argCells: (Int32Array | null)[] = [null, null, null, null, null, null];
  /**
   * The confinement check's answer for the argument values it last passed (a call that copies
   * nothing): those values, the registry version, and per argument the region the check found
   * (for a private call). See Confinement.checkRemembered.
   */
  checkedVersion = -1;
  readonly checkedArgs = new Float64Array(MAX_ARGS);
  readonly checkedRegions: (Region | null)[] = [null, null, null, null, null, null];
}

/** The slot of an atom address (as engine/memory-answers.ts: spread, then the top bits). */
function slotOf(address: number): number {
  return Math.imul(address >>> 3, 0x9e3779b1) >>> SLOT_SHIFT;
}

/** A direct-mapped table of decoded atoms (one per executor). */
export class AtomDecoder {
  readonly #memory: MemoryRegistry;
  readonly #table: readonly (CompiledSyscall | undefined)[];
  readonly #entries: (DecodedAtom | null)[] = new Array<DecodedAtom | null>(SLOTS).fill(null);

  constructor(memory: MemoryRegistry, table: readonly (CompiledSyscall | undefined)[]) {
    this.#memory = memory;
    this.#table = table;
  }

  /**
   * get - the decoded atom at `atom` (at `base` in `region`), decoding it when what is kept is
   * not (or no longer) its words; null when it is not an ordinary atom (the caller's generic
   * path then runs it and reports what is wrong).
   */
  get(region: Region, base: number, atom: number): DecodedAtom | null {
    const entries = this.#entries;
    const slot = slotOf(atom);
    let entry = entries[slot] as DecodedAtom | null;
    if (entry === null || entry.address !== atom) {
      const other = entries[slot ^ 1] as DecodedAtom | null;
      if (other !== null && other.address === atom) entry = other;
    }
    if (entry !== null && entry.address === atom && entry.region === region && entry.version === this.#memory.version) {
      const words = entry.words;
      const count = entry.wordCount;
      const live = entry.live;
      const live64 = entry.live64;
      // (A detached buffer's typed array reads undefined: a mismatch, and the decode's DataView throws as the generic path does.)
      if (live64 !== null && live !== null) {
        const words64 = entry.words64;
        const pairs = count >> 1;
        let k = 0;
        for (; k < pairs; k++) {
          const word = words64[k] as number;
          if (live64[k] !== word || (word === 0 && live[2 * k + 1] !== 0)) break;
        }
        if (k === pairs) return entry;
      } else {
        let i = 0;
        if (live !== null) while (i < count && live[i] === words[i]) i++;
        else while (i < count && region.view.getInt32(base + i * 4, true) === words[i]) i++;
        if (i === count) return entry;
      }
    }
    return this.#decode(entry !== null && entry.address === atom ? entry : this.#victim(slot), region, base, atom);
  }

  /**
   * decodeInto - decode the atom at `atom` (at `base` in `region`) into an entry of the caller's
   * own, outside this table (a canned chain's plan, engine/executor-canned.ts).
   * @returns the entry, or null when it is not an ordinary atom.
   */
  decodeInto(entry: DecodedAtom, region: Region, base: number, atom: number): DecodedAtom | null {
    return this.#decode(entry, region, base, atom);
  }

  /** The entry a newly decoded atom goes into: an empty one of the pair, else the pair's second (the first keeps the older). */
  #victim(slot: number): DecodedAtom {
    const entries = this.#entries;
    const first = entries[slot] as DecodedAtom | null;
    if (first === null) return (entries[slot] = new DecodedAtom());
    const second = entries[slot ^ 1] as DecodedAtom | null;
    if (second === null) return (entries[slot ^ 1] = new DecodedAtom());
    return first.address === -1 ? first : second;
  }

  #decode(entry: DecodedAtom, region: Region, base: number, atom: number): DecodedAtom | null {
    const memory = this.#memory;
    // Read first: a mirror that reloads its table while this decodes makes the entry stale at once.
    const version = memory.version;
    entry.address = -1;
    const view = region.view;
    const start = region.start;
    const end = region.end;
    const words = entry.words;
    // The words are read once, into the entry; what is decoded is decoded from those copies.
    for (let i = 0; i < 8; i++) words[i] = view.getInt32(base + i * 4, true);
    const flags = words[0] as number;
    if (words[1] !== 0 || (flags & ~SYSLET_VALID_FLAGS) !== 0 || words[3] !== 0) return null;
    const nr = words[2] as number;
    const compiled = nr >= 0 ? this.#table[nr] : undefined;
    if (compiled === undefined) return null;
    const ret = pointerOf(words, 4);
    const retRegion = ret === 0 ? null : ret > 0 && ret >= start && ret + 8 <= end ? region : ret > 0 ? memory.find(ret, 8) : null;
    if (ret !== 0 && retRegion === null) return null;
    const next = pointerOf(words, 6);
    const nextRegion = next === 0 ? null : next > 0 && next >= start && next + ATOM.size <= end ? region : next > 0 ? memory.find(next, ATOM.size) : null;
    if (next !== 0 && nextRegion === null) return null;
    let count = 0;
    let at = 8;
    for (; count < MAX_ARGS; count++) {
      words[at] = view.getInt32(base + at * 4, true);
      words[at + 1] = view.getInt32(base + at * 4 + 4, true);
      const pointer = pointerOf(words, at);
      at += 2;
      if (pointer === 0) break;
      const cell = pointer > 0 && pointer >= start && pointer + 8 <= end ? region : pointer > 0 ? memory.find(pointer, 8) : null;
      if (cell === null) return null;
      entry.argPointers[count] = pointer;
      entry.argRegions[count] = cell;
      entry.argCells[count] = int32sAt(cell.view, pointer - cell.start, 2);
    }
    for (let i = count; i < MAX_ARGS; i++) {
      entry.argRegions[i] = null;
      entry.argCells[i] = null;
    }
    entry.live = int32sAt(view, base, at);
    const at64 = view.byteOffset + base;
    entry.live64 = at64 % 8 === 0 ? new Float64Array(view.buffer, at64, at >> 1) : null;
    entry.wordCount = at;
    entry.flags = flags;
    entry.nr = nr;
    entry.compiled = compiled;
    entry.ret = ret;
    entry.retRegion = retRegion;
    entry.retCell = retRegion === null ? null : int32sAt(retRegion.view, ret - retRegion.start, 2);
    entry.next = next;
    entry.nextRegion = nextRegion;
    entry.argCount = count;
    entry.region = region;
    entry.version = version;
    entry.checkedVersion = -1;
    entry.address = atom;
    return entry;
  }
}

/** `count` int32s in place at `offset` of `view`'s bytes, or null when they are not 4-byte aligned in the buffer. */
function int32sAt(view: DataView, offset: number, count: number): Int32Array | null {
  const at = view.byteOffset + offset;
  return at % 4 === 0 ? new Int32Array(view.buffer, at, count) : null;
}

/** The unsigned 64-bit word at int32 index `at` of `words` as an address (-1: none can be), as readPointer reads it. */
function pointerOf(words: Int32Array, at: number): number {
  const hi = (words[at + 1] as number) >>> 0;
  if (hi >= 0x200000) return -1;
  return hi * 4294967296 + ((words[at] as number) >>> 0);
}
