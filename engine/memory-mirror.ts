/**
 * A region as a cachemiss thread's mirror of the region table holds it (MemoryRegistry.sync):
 * its bounds and segments at once, its views (a koffi external buffer, a DataView and a
 * Uint8Array over it) only when something first reads them.
 *
 * Why: a caller's buffer too large for a request's slot (a FileHandle.write of more than the
 * slot's data area) is lent to the engine for that one request — registered, then unregistered —
 * so the table changes twice a write, and every thread that runs a chain afterwards mirrors the
 * change. The chain's pwrite passes only the buffer's address to the kernel and its confinement
 * check needs only the bounds: views made at once were made for nothing, each one garbage for
 * the thread's GC. Measured (2 vCPUs, load 14-16, 4 alternated rounds): 256 KiB QD1
 * FileHandle.write on the threads engine, 196 -> 139 µs of CPU a write (node:fs/promises 55).
 */
import { viewOf } from './native/index.js';
import type { Region } from './region.js';

/** A mirrored region (see the module comment). */
export class MirroredRegion implements Region {
  readonly kind = 'engine' as const;
  #view: DataView | null = null;
  #bytes: Uint8Array | null = null;

  constructor(
    readonly id: number,
    readonly start: number,
    readonly end: number,
    readonly segments: Region['segments'],
  ) {}

  /** A DataView over the whole region, made on first use. */
  get view(): DataView {
    return this.#view ?? this.#make().view;
  }

  /** The same bytes as a Uint8Array, made on first use. */
  get bytes(): Uint8Array {
    return this.#bytes ?? this.#make().bytes;
  }

  /** Both views at once (one external buffer under them). */
  #make(): { view: DataView; bytes: Uint8Array } {
    const buffer = viewOf(this.start, this.end - this.start);
    const view = new DataView(buffer);
    const bytes = new Uint8Array(buffer);
    this.#view = view;
    this.#bytes = bytes;
    return { view, bytes };
  }
}
