/**
 * The completion ring. Version 1 is Ingo's: an array of 64-bit slots, each holding the address of
 * a chain's last executed atom, NULL meaning empty; the engine never overwrites a non-NULL slot
 * (a completion that finds its slot taken waits, in order, until the consumer frees it), and the
 * consumer NULLs each slot it takes.
 *
 * Version 2 answers Kent Overstreet's 2013 complaint that AIO's ring version "is only checkable
 * after the ringbuffer is setup": the caller negotiates a version and a set of per-completion
 * attributes first ({@link negotiateRing}), learns which are supported, and only then registers.
 * A v2 entry is 48 bytes:
 *
 * | offset | field | meaning |
 * |---|---|---|
 * | 0 | atom (u64) | last executed atom; NULL = empty slot |
 * | 8 | result (s64) | that atom's one-word result |
 * | 16 | latency_ns (u64) | submission to completion |
 * | 24 | atoms (u32) | atoms the chain executed |
 * | 28 | mode (u32) | 0 inline, 1 cachemiss thread |
 * | 32 | stop (u32) | why it stopped (STOP) |
 * | 36 | valid (u32) | bit mask of the attributes filled in (ATTRIBUTE_BITS) |
 * | 40 | private (u64) | the atom's private word, copied |
 */
import { ATOM } from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Word } from './native/index.js';
import { readWord, setWord } from './words.js';

/** Ring versions this engine speaks. */
export const RING_VERSIONS = [1, 2] as const;

/** Per-completion attributes of version 2, with their bit in the entry's `valid` mask. */
export const ATTRIBUTE_BITS = {
  result: 1,
  latency: 2,
  atoms: 4,
  mode: 8,
  stop: 16,
  private: 32,
} as const;

/** A v2 attribute name. */
export type RingAttribute = keyof typeof ATTRIBUTE_BITS;

/** Entry sizes by version. */
export const RING_ENTRY_SIZE = {
  /** Version 1: the last atom's 64-bit address only. */
  1: 8,
  /** Version 2: the 48-byte entry described above. */
  2: 48,
} as const;

/** What the caller asks for before setting a ring up. */
export interface RingRequest {
  /** The highest version wanted (above 2 means 2, below 1 means 1). */
  readonly version: number;
  /** The v2 attributes wanted (ATTRIBUTE_BITS names); default every known one for v2, none for v1. */
  readonly attributes?: readonly string[];
}

/** What the engine can give: the version it will use and which attributes it fills. */
export interface RingCapabilities {
  /** The ring version the engine will use. */
  readonly version: 1 | 2;
  /** Bytes per ring entry for that version ({@link RING_ENTRY_SIZE}). */
  readonly entrySize: number;
  /** The v2 attributes it will fill in; empty for version 1. */
  readonly attributes: readonly RingAttribute[];
  /** Requested attributes this engine does not know; they will never be filled. */
  readonly unsupported: readonly string[];
}

/**
 * negotiateRing - agree on a ring version and attributes before anything is mapped.
 *
 * @param request - the highest version wanted and the attributes wanted.
 * @returns the capabilities: the highest version both speak (versions above 2 fall back to 2;
 *   below 1 to 1), the supported subset of attributes (none for version 1) and the rest.
 * @example
 * ```ts
 * const caps = negotiateRing({ version: 2, attributes: ['latency', 'mode', 'bcache_hit'] });
 * caps.unsupported; // ['bcache_hit']
 * ```
 */
export function negotiateRing(request: RingRequest): RingCapabilities {
  const version: 1 | 2 = request.version >= 2 ? 2 : 1;
  const wanted = request.attributes ?? (version === 2 ? Object.keys(ATTRIBUTE_BITS) : []);
  const attributes: RingAttribute[] = [];
  const unsupported: string[] = [];
  for (const name of wanted) {
    if (version === 2 && name in ATTRIBUTE_BITS) attributes.push(name as RingAttribute);
    else unsupported.push(name);
  }
  return { version, entrySize: RING_ENTRY_SIZE[version], attributes, unsupported };
}

/** One completion as the engine produces it. */
export interface CompletionRecord {
  atom: number;
  /** The last atom's result, exact (a bigint beyond 2^53). */
  result: Word;
  latencyNs: number;
  atoms: number;
  mode: 0 | 1;
  stop: number;
}

/** A completion as a consumer reads it back. */
export interface Completion {
  /** The chain's last executed atom. */
  readonly atom: bigint;
  /**
   * That atom's result, the entry's signed 64-bit word exactly: a number while it is a safe
   * integer, a bigint beyond 2^53 (a umem_add counter, say). This and the fields below: v2
   * only, and undefined unless negotiated.
   */
  readonly result?: Word;
  /** Submission to completion, in nanoseconds (the `latency` attribute). */
  readonly latencyNs?: number;
  /** Atoms the chain executed (the `atoms` attribute). */
  readonly atoms?: number;
  /** Where it finished: inline or on a cachemiss thread (the `mode` attribute). */
  readonly mode?: 'inline' | 'cachemiss';
  /** Why it stopped, a STOP value (the `stop` attribute). */
  readonly stop?: number;
  /** The last atom's private word, copied (the `private` attribute). */
  readonly private?: bigint;
}

/** A registered ring in engine memory. Only the calling thread produces into it. */
export class CompletionRing {
  /** The engine region (engine memory or a registered buffer) the ring lies in. */
  readonly region: Region;
  /** The ring's first byte. */
  readonly address: number;
  /** Number of entries: the size in bytes over the entry size. */
  readonly capacity: number;
  /** The negotiated version and attributes it was registered with. */
  readonly capabilities: RingCapabilities;
  readonly #offset: number;
  readonly #mask: number;
  readonly #memory: MemoryRegistry;
  /** Next slot the engine writes (the kernel_ring_idx of the 2007 ABI). */
  producerIndex = 0;
  // Where the consumer was last seen: a hint, checked before use. The consumer may take entries
  // itself (read a slot, NULL it: the 2007 contract) without telling the engine.
  #consumer = 0;

  /** @internal Made by {@link Engine.async_register}. */
  constructor(memory: MemoryRegistry, region: Region, address: number, sizeBytes: number, capabilities: RingCapabilities) {
    this.#memory = memory;
    this.region = region;
    this.address = address;
    this.capabilities = capabilities;
    this.capacity = Math.floor(sizeBytes / capabilities.entrySize);
    this.#offset = address - region.start;
    this.#mask = capabilities.attributes.reduce((mask, name) => mask | ATTRIBUTE_BITS[name], 0);
  }

  /**
   * @internal
   * tryPost - write a completion into the next slot if it is empty (the engine's producer side).
   * @returns false when the slot still holds an unconsumed entry (the caller keeps it pending).
   */
  tryPost(record: CompletionRecord): boolean {
    const view = this.region.view;
    const entry = this.#offset + this.producerIndex * this.capabilities.entrySize;
    if (view.getUint32(entry, true) !== 0 || view.getUint32(entry + 4, true) !== 0) return false;
    if (this.capabilities.version === 2) {
      const mask = this.#mask;
      setWord(view, entry + 8, mask & ATTRIBUTE_BITS.result ? record.result : 0);
      setWord(view, entry + 16, mask & ATTRIBUTE_BITS.latency ? Math.round(record.latencyNs) : 0);
      view.setUint32(entry + 24, mask & ATTRIBUTE_BITS.atoms ? record.atoms : 0, true);
      view.setUint32(entry + 28, mask & ATTRIBUTE_BITS.mode ? record.mode : 0, true);
      view.setUint32(entry + 32, mask & ATTRIBUTE_BITS.stop ? record.stop : 0, true);
      view.setUint32(entry + 36, mask, true);
      let privateWord = 0n;
      if (mask & ATTRIBUTE_BITS.private) {
        const atomRegion = this.#memory.find(record.atom, ATOM.size);
        if (atomRegion !== null) privateWord = atomRegion.view.getBigUint64(record.atom - atomRegion.start + ATOM.private, true);
      }
      view.setBigUint64(entry + 40, privateWord, true);
    }
    // The atom word goes last: a consumer that sees it non-NULL sees the whole entry.
    setWord(view, entry, record.atom);
    this.producerIndex = (this.producerIndex + 1) % this.capacity;
    return true;
  }

  #filled(index: number): boolean {
    const entry = this.#offset + index * this.capabilities.entrySize;
    const view = this.region.view;
    return view.getUint32(entry, true) !== 0 || view.getUint32(entry + 4, true) !== 0;
  }

  /**
   * The slot of the oldest entry the consumer has not taken, or -1 when none waits. The producer
   * fills NULL slots in order and the consumer empties them in order, so the waiting entries are
   * one run of filled slots that ends just before the producer index (a full ring: every slot,
   * starting at the producer index). A slot at the producer index that the engine did not fill
   * counts too: the producer waits for it to be taken.
   */
  #oldest(): number {
    const capacity = this.capacity;
    const producer = this.producerIndex;
    // Taking entries one by one with reap(): the hint is the start of the run.
    const hint = this.#consumer;
    if (hint !== producer && this.#filled(hint) && !this.#filled((hint + capacity - 1) % capacity)) return hint;
    let start = producer;
    for (let k = 0; k < capacity; k++) {
      const before = (start + capacity - 1) % capacity;
      if (!this.#filled(before)) break;
      start = before;
    }
    this.#consumer = start;
    // Back at the producer index: every slot is filled (a full ring starts there), or none waits.
    if (start === producer) return this.#filled(producer) ? producer : -1;
    return start;
  }

  /**
   * The consumer index (user_ring_idx of the 2007 ABI): the slot of the oldest completion not yet
   * taken — by {@link reap}, or by the caller reading a slot and setting it to NULL — or the
   * producer index when all are taken.
   */
  get consumerIndex(): number {
    const oldest = this.#oldest();
    return oldest < 0 ? this.producerIndex : oldest;
  }

  /**
   * available - how many completions wait in the ring: stored and not yet taken, whether the
   * caller takes them with {@link reap} or by NULLing slots itself.
   *
   * @param userRingIdx - the caller's own consumer index (the 2007 v3 `user_ring_idx`): count the
   *   filled slots from there on, and take it as the consumer's position from now on. Without
   *   it, the engine finds the position itself (consumers take slots in order).
   */
  available(userRingIdx?: number): number {
    const capacity = this.capacity;
    let start: number;
    if (userRingIdx !== undefined) {
      start = userRingIdx % capacity;
      this.#consumer = start;
    } else {
      start = this.#oldest();
      if (start < 0) return 0;
    }
    let count = 0;
    while (count < capacity && this.#filled((start + count) % capacity)) count++;
    return count;
  }

  /** reap - take the oldest entry (see {@link consumerIndex}) and NULL its slot. @returns null when none waits. */
  reap(): Completion | null {
    const view = this.region.view;
    const index = this.#oldest();
    if (index < 0) return null;
    const entry = this.#offset + index * this.capabilities.entrySize;
    const atom = view.getBigUint64(entry, true);
    let completion: Completion = { atom };
    if (this.capabilities.version === 2) {
      const valid = view.getUint32(entry + 36, true);
      completion = {
        atom,
        ...(valid & ATTRIBUTE_BITS.result ? { result: readWord(view, entry + 8) } : {}),
        ...(valid & ATTRIBUTE_BITS.latency ? { latencyNs: Number(view.getBigUint64(entry + 16, true)) } : {}),
        ...(valid & ATTRIBUTE_BITS.atoms ? { atoms: view.getUint32(entry + 24, true) } : {}),
        ...(valid & ATTRIBUTE_BITS.mode ? { mode: view.getUint32(entry + 28, true) === 0 ? 'inline' : 'cachemiss' } : {}),
        ...(valid & ATTRIBUTE_BITS.stop ? { stop: view.getUint32(entry + 32, true) } : {}),
        ...(valid & ATTRIBUTE_BITS.private ? { private: view.getBigUint64(entry + 40, true) } : {}),
      };
    }
    view.setBigUint64(entry, 0n, true);
    this.#consumer = (index + 1) % this.capacity;
    return completion;
  }
}
