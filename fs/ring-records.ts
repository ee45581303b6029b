/**
 * Records of engine memory for the requests syslet-aio/fs writes straight into the io_uring ring
 * (Engine.ringDirect: stat bursts in fs/stat-burst.ts, readlink and realpath opens in
 * fs/link-ring.ts): each record holds what the kernel reads and writes while its request is in
 * flight (a path, a struct statx), so it must outlive the call that made it.
 */
import type { Engine } from '../engine/engine.js';
import type { Region } from '../engine/region.js';

/** Records per engine allocation. */
export const SLAB_RECORDS = 64;

/**
 * One engine's records of one kind: allocated {@link SLAB_RECORDS} at a time as bursts need them
 * (never more than the most in flight at once), idle ones in `idle` (a record puts itself back
 * when its call has settled), all given back when the engine closes — unless the ring released
 * requests without their completions, whose memory the kernel may still write into: then it is kept.
 */
export abstract class RingRecordPool<R> {
  readonly engine: Engine;
  readonly idle: R[] = [];
  readonly #slabs: Region[] = [];
  readonly #recordBytes: number;

  /**
   * @param recordBytes - the size of one record.
   * @param shared - regions the pool's records share, given back with the slabs.
   */
  constructor(engine: Engine, recordBytes: number, shared: readonly Region[] = []) {
    this.engine = engine;
    this.#recordBytes = recordBytes;
    engine.onClose(() => {
      this.closing();
      if (engine.ringInFlight !== 0) return;
      for (const region of shared) engine.free(region);
      for (const slab of this.#slabs.splice(0)) engine.free(slab);
      this.idle.length = 0;
    });
  }

  /** A record at `offset` in `slab`. */
  protected abstract record(slab: Region, offset: number): R;

  /** The engine is closing (before its memory is given back). */
  protected closing(): void {}

  /** Records allocated. */
  get records(): number {
    return this.#slabs.length * SLAB_RECORDS;
  }

  /** take - an idle record, or a new slab's first. */
  take(): R {
    const idle = this.idle.pop();
    if (idle !== undefined) return idle;
    const bytes = this.#recordBytes;
    const slab = this.engine.alloc(SLAB_RECORDS * bytes);
    this.#slabs.push(slab);
    for (let i = SLAB_RECORDS - 1; i > 0; i--) this.idle.push(this.record(slab, i * bytes));
    return this.record(slab, 0);
  }
}
