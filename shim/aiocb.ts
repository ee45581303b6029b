/**
 * `struct aiocb` as a native struct with glibc's x86-64 layout (168 bytes), carved from slabs of
 * the POSIX engine's memory so that chains may write its status fields. Every field is a
 * property backed by the native bytes, which stay the source of truth: C code (or a test) that
 * writes the struct directly is seen at the next submission.
 *
 * A Buffer given as aio_buf is kept alive by the aiocb and registered with the engine only while
 * a request uses it (see held-ranges.ts). The aiocb also carries the request record the request
 * engine reuses, so a submission allocates nothing.
 */
import { readPointer, readWord, setWord } from '../engine/words.js';
import type { Region } from '../engine/memory.js';
import { ENOMEM, type Word } from '../engine/native/index.js';
import { SyscallError } from '../engine/errors.js';
import { aioEngine } from './context.js';
import { AIOCB, SIGEV_NONE } from './constants.js';
import { integer, int32, word } from './member-values.js';
import { Sigevent, type SigeventInit } from './sigevent.js';
import { Request, int32Of, type AiocbSource, type InstanceRemains } from './request.js';
import { readElement, registrationOf, type BufferRegistration } from './view-registrations.js';
import * as viewGettersExports from '../engine/view-getters.js';
import { chainEnded, settle } from './requests.js';
import { releaseRemains } from './request-prepare.js';
import type { AioCompletion, SigevNotifyFunction } from './types.js';

export type { AioCompletion, SigevNotifyFunction };
export { Sigevent, type SigeventInit };

// The getters as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use.
const { dataViewByteLength, typedArrayByteLength } = viewGettersExports;

const SLAB_AIOCBS = 64;

/** What `new Aiocb()` takes: the POSIX members, all optional. */
export interface AiocbInit {
  /** The file descriptor. */
  aio_fildes?: number;
  /** A Buffer/TypedArray/DataView (kept alive while used), or a raw address in engine memory. */
  aio_buf?: ArrayBufferView | bigint | number | null;
  /** Bytes to transfer; defaults to the byte length of a buffer given as aio_buf. */
  aio_nbytes?: number;
  /** File offset (default 0). */
  aio_offset?: number | bigint;
  /** Priority decrement, 0..20 (default 0). */
  aio_reqprio?: number;
  /** LIO_READ, LIO_WRITE or LIO_NOP, for lio_listio (default 0, LIO_READ). */
  aio_lio_opcode?: number;
  /** Defaults to SIGEV_NONE when omitted (a zeroed C struct would ask for signal 0, which does nothing). */
  aio_sigevent?: SigeventInit;
}

interface Slot {
  readonly region: Region;
  readonly offset: number;
}

const freeSlots: Slot[] = [];
/**
 * What the finalizer needs once an aiocb is garbage: its slot and the plugin instance its request
 * held. Never the request itself: a registry keeps its held values until the finalizer has run,
 * after a full collection, and with them all they reach (the request, the buffer registration,
 * the program's Buffer). Holding the request made every dropped aiocb outlive the young
 * generation: a program making and dropping 1,000 aiocbs a batch reached 577 MB of RSS (300 MB of
 * heap) after 300,000; holding only this, 265 MB (heap peaks of 112 MB).
 */
interface Held {
  readonly slot: Slot;
  readonly remains: InstanceRemains;
}

const finalizer = new FinalizationRegistry<Held>((held) => {
  releaseRemains(held.remains);
  held.slot.region.bytes.fill(0, held.slot.offset, held.slot.offset + AIOCB.size);
  freeSlots.push(held.slot);
});

/** Slabs made so far: each is twice the one before, up to {@link MOST_SLAB_AIOCBS}. */
let slabsMade = 0;
/**
 * The largest slab (4,096 aiocbs, 672 KiB): slabs grow so that a program holding a million
 * aiocbs uses a few hundred of the engine's memory regions, not one per 64 (the region table has
 * 4,096, shared with the buffers requests register).
 */
const MOST_SLAB_AIOCBS = 4096;

function takeSlot(): Slot {
  const slot = freeSlots.pop();
  if (slot !== undefined) return slot;
  const count = Math.min(SLAB_AIOCBS * 2 ** slabsMade, MOST_SLAB_AIOCBS);
  let region: Region;
  try {
    region = aioEngine().alloc(AIOCB.size * count);
  } catch (error) {
    // The region table is full (the buffers of requests in flight hold the rest): a clear,
    // catchable error, as when the process is out of memory; nothing was taken.
    if (error instanceof RangeError) throw new SyscallError(ENOMEM, 'new Aiocb', undefined, undefined, { cause: error });
    throw error;
  }
  slabsMade++;
  for (let i = count - 1; i > 0; i--) freeSlots.push({ region, offset: i * AIOCB.size });
  return { region, offset: 0 };
}

/**
 * Aiocb - an asynchronous I/O control block: glibc's x86-64 `struct aiocb` in native memory.
 *
 * @throws TypeError / RangeError naming the field for a bad member; SyscallError ENOMEM
 *   (`syscall: 'new Aiocb'`) when the POSIX engine's memory table is full (about a million live
 *   aiocbs: buffers held by requests in flight never take the regions kept for them); SyscallError
 *   EMFILE when the engine, made by the first Aiocb, finds no fd for its eventfd.
 *
 * @example
 * ```ts
 * const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: 0 });
 * if (aio_read(cb) === -1) throw new Error(errnoName(errno()));
 * while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
 * const bytes = aio_return(cb);
 * ```
 */
export class Aiocb implements AiocbSource {
  /** The struct's address (engine memory), for C code, sigev_value or compat layers. */
  readonly address: number;
  /** @internal The request record the request engine reuses for this aiocb. */
  readonly _request: Request;
  readonly #view: DataView;
  readonly #base: number;
  // The region's bytes as int32s (int32Of; null when its view is not 4-byte aligned): the fields
  // a program writes before every request are stored through it.
  readonly #int32: Int32Array | null;
  readonly #sigevent: Sigevent;
  #buffer: ArrayBufferView | null = null;
  #bufferAddress = 0;
  // Whether #buffer is a DataView (else a typed array): which byte-length getter reads it.
  #bufferIsDataView = false;
  /** @internal Where the Promise twins' pool holds this aiocb (promise-pool.ts); -1 when it does not. */
  _poolAt = -1;

  constructor(init: AiocbInit = {}) {
    const slot = takeSlot();
    this.#view = slot.region.view;
    this.#base = slot.offset;
    this.#int32 = int32Of(this.#view);
    this.address = slot.region.start + slot.offset;
    this._request = new Request(this.#view, this.#base + AIOCB.__error_code, this.address + AIOCB.__error_code, this.#base + AIOCB.__return_value, this.address + AIOCB.__return_value, 8, chainEnded, aioEngine().policy);
    this.#sigevent = new Sigevent(this.#view, this.#base + AIOCB.aio_sigevent, this._request);
    const remains: InstanceRemains = { instance: null };
    this._request.remains = remains;
    finalizer.register(this, { slot, remains });
    try {
      if (init.aio_fildes !== undefined) this.aio_fildes = init.aio_fildes;
      if (init.aio_lio_opcode !== undefined) this.aio_lio_opcode = init.aio_lio_opcode;
      if (init.aio_reqprio !== undefined) this.aio_reqprio = init.aio_reqprio;
      if (init.aio_buf !== undefined) this.aio_buf = init.aio_buf;
      if (init.aio_nbytes !== undefined) this.aio_nbytes = init.aio_nbytes;
      else if (ArrayBuffer.isView(init.aio_buf)) this.aio_nbytes = init.aio_buf.byteLength;
      if (init.aio_offset !== undefined) this.aio_offset = init.aio_offset;
      this.aio_sigevent = init.aio_sigevent ?? { sigev_notify: SIGEV_NONE };
    } catch (error) {
      this.aio_buf = null;
      throw error;
    }
  }

  /** The file descriptor. */
  get aio_fildes(): number {
    return this.#view.getInt32(this.#base + AIOCB.aio_fildes, true);
  }
  /** Sets the file descriptor. @throws TypeError unless a 32-bit integer. */
  set aio_fildes(value: number) {
    this.#view.setInt32(this.#base + AIOCB.aio_fildes, int32('aio_fildes', value), true);
  }

  /** LIO_READ, LIO_WRITE or LIO_NOP (read by lio_listio only). */
  get aio_lio_opcode(): number {
    return this.#view.getInt32(this.#base + AIOCB.aio_lio_opcode, true);
  }
  /** Sets the lio_listio opcode. @throws TypeError unless a 32-bit integer. */
  set aio_lio_opcode(value: number) {
    this.#view.setInt32(this.#base + AIOCB.aio_lio_opcode, int32('aio_lio_opcode', value), true);
  }

  /** Priority decrement, 0..20 (AIO_PRIO_DELTA_MAX); checked at submission. */
  get aio_reqprio(): number {
    return this.#view.getInt32(this.#base + AIOCB.aio_reqprio, true);
  }
  /** Sets the priority decrement (its range is checked at submission). @throws TypeError unless a 32-bit integer. */
  set aio_reqprio(value: number) {
    this.#view.setInt32(this.#base + AIOCB.aio_reqprio, int32('aio_reqprio', value), true);
  }

  /**
   * The buffer: the Buffer/TypedArray last assigned (while the native pointer still points at
   * it), else the raw address as a bigint. Assigning a buffer registers its backing store with
   * the engine; it cannot change while the request is in progress (that would free memory a
   * cachemiss thread may be writing).
   */
  get aio_buf(): ArrayBufferView | bigint {
    const address = readPointer(this.#view, this.#base + AIOCB.aio_buf);
    if (this.#buffer !== null && address === this.#bufferAddress) return this.#buffer;
    return this.#view.getBigUint64(this.#base + AIOCB.aio_buf, true);
  }
  /**
   * Sets the buffer: a Buffer/TypedArray/DataView (kept alive by the aiocb), a raw address, or null.
   * @throws TypeError while the request is in progress (EINPROGRESS), for any other type, or for
   *   a number that is not a safe integer; RangeError for a bigint outside 64 bits.
   */
  set aio_buf(value: ArrayBufferView | bigint | number | null) {
    if (value === this.#buffer && value !== null) {
      setWord(this.#view, this.#base + AIOCB.aio_buf, this.#bufferAddress);
      return;
    }
    if (this._request.busy && !settle(this._request)) throw new TypeError('aio_buf cannot change while the request is in progress (EINPROGRESS)');
    let address: Word;
    let view: ArrayBufferView | null = null;
    let registration: BufferRegistration | null = null;
    if (value === null) address = 0;
    else if (typeof value === 'bigint' || typeof value === 'number') address = word('aio_buf', value);
    else if (ArrayBuffer.isView(value)) {
      view = value;
      registration = registrationOf(value);
      address = registration.address;
    } else throw new TypeError('aio_buf must be a Buffer, TypedArray, DataView, bigint address or null');
    // Registered with the engine only while a request uses it (see held-ranges.ts).
    this._request.buffer = registration;
    // The range its last request held goes with the buffer (releaseBuffer keeps it for reuse).
    this._request.heldRange = null;
    this.#buffer = view;
    this.#bufferAddress = view === null ? 0 : (address as number);
    this.#bufferIsDataView = registration !== null && registration.isDataView;
    setWord(this.#view, this.#base + AIOCB.aio_buf, address);
  }

  /** Bytes to transfer. */
  get aio_nbytes(): number {
    return readWord(this.#view, this.#base + AIOCB.aio_nbytes) as number;
  }
  /** Sets the byte count. @throws TypeError unless a safe integer. */
  set aio_nbytes(value: number) {
    setWord(this.#view, this.#base + AIOCB.aio_nbytes, integer('aio_nbytes', value));
  }

  /** File offset (negative values are accepted here and fail the request with EINVAL). */
  get aio_offset(): number | bigint {
    return readWord(this.#view, this.#base + AIOCB.aio_offset);
  }
  /** Sets the file offset. @throws TypeError for a number that is not a safe integer; RangeError for a bigint outside 64 bits. */
  set aio_offset(value: number | bigint) {
    const int32 = this.#int32;
    const at = (this.#base + AIOCB.aio_offset) >> 2;
    if (int32 !== null && typeof value === 'number' && (value | 0) === value && at + 1 < int32.length) {
      // An int32 (most offsets): its high word is its sign, as setWord stores it.
      int32[at] = value;
      int32[at + 1] = value >> 31;
      return;
    }
    if (typeof value === 'number' && Number.isSafeInteger(value)) setWord(this.#view, this.#base + AIOCB.aio_offset, value);
    else setWord(this.#view, this.#base + AIOCB.aio_offset, word('aio_offset', value));
  }

  /** The notification: a live view; assigning an object copies its fields. */
  get aio_sigevent(): Sigevent {
    return this.#sigevent;
  }
  /**
   * Copies `value`'s fields into the notification (missing ones become SIGEV_NONE, 0 or null), all
   * or nothing.
   * @throws TypeError unless an object, or the first member its setter refuses (nothing changes then).
   */
  set aio_sigevent(value: SigeventInit) {
    if (typeof value !== 'object' || value === null) throw new TypeError('aio_sigevent must be an object');
    const sigevent = this.#sigevent;
    // All or nothing: if one member is refused, the ones set before it go back as they were.
    const before = {
      notify: sigevent.sigev_notify,
      signo: sigevent.sigev_signo,
      value: sigevent.sigev_value,
      fn: sigevent.sigev_notify_function,
      attributes: sigevent.sigev_notify_attributes,
    };
    try {
      sigevent.sigev_notify = value.sigev_notify ?? SIGEV_NONE;
      sigevent.sigev_signo = value.sigev_signo ?? 0;
      sigevent.sigev_value = value.sigev_value ?? 0;
      sigevent.sigev_notify_function = value.sigev_notify_function ?? null;
      sigevent.sigev_notify_attributes = value.sigev_notify_attributes ?? 0;
    } catch (error) {
      sigevent.sigev_notify = before.notify;
      sigevent.sigev_signo = before.signo;
      sigevent.sigev_value = before.value;
      sigevent.sigev_notify_function = before.fn;
      sigevent.sigev_notify_attributes = before.attributes;
      throw error;
    }
  }

  /**
   * How the last request completed: inline or on a cachemiss thread, and the engine's latency
   * for the latter. An extension, not in POSIX. A request whose status is already final but
   * whose chain end the JS thread has not processed yet is settled first (microseconds).
   *
   * @example
   * ```ts
   * const t0 = performance.now();
   * aio_read(cb);
   * if (cb.lastCompletion.mode === 'inline') inlineNs = (performance.now() - t0) * 1e6;
   * ```
   */
  get lastCompletion(): AioCompletion {
    if (this._request.busy) settle(this._request);
    return this._request.completion;
  }

  /** glibc's private `__error_code` (what aio_error returns). */
  get __error_code(): number {
    return this.#view.getInt32(this.#base + AIOCB.__error_code, true);
  }
  /** Sets the error code. @throws TypeError unless a 32-bit integer. */
  set __error_code(value: number) {
    this.#view.setInt32(this.#base + AIOCB.__error_code, int32('__error_code', value), true);
  }

  /** glibc's private `__return_value` (what aio_return returns). */
  get __return_value(): number {
    return readWord(this.#view, this.#base + AIOCB.__return_value) as number;
  }
  /** Sets the return value. @throws TypeError unless a safe integer. */
  set __return_value(value: number) {
    setWord(this.#view, this.#base + AIOCB.__return_value, integer('__return_value', value));
  }

  /** @internal The view and offset of the struct, for the request engine's field reads. */
  get _view(): DataView {
    return this.#view;
  }
  /** @internal */
  get _base(): number {
    return this.#base;
  }
  /** @internal The buffer's length when aio_buf still points at the buffer assigned (else -1). */
  _bufferLength(address: number): number {
    const buffer = this.#buffer;
    if (buffer === null || address !== this.#bufferAddress) return -1;
    let length: number;
    if (!this.#bufferIsDataView) {
      readElement(buffer);
      length = typedArrayByteLength.call(buffer);
    } else {
      try {
        length = dataViewByteLength.call(buffer);
      } catch {
        // A DataView throws where a typed array says 0: its store was detached. No bytes are left.
        return 0;
      }
    }
    const registration = this._request.buffer;
    // A length-tracking view whose resizable store grew since it was assigned (in place: the
    // address stays): its registration covers the old bytes only, and the request would fault.
    if (registration !== null && length > registration.byteLength) this._request.buffer = registrationOf(buffer);
    return length;
  }
}
