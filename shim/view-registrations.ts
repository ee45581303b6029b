/**
 * What a request on a caller's view is submitted with: per view, its registration (the view's
 * exact bytes: store, offset, length, address), remembered in a WeakMap while the view still
 * describes the same bytes, so that a reused Buffer costs one lookup, not an FFI call for its
 * address. The Promise twins send a view seen for the first time through a bounce slot instead
 * (bounce-slots.ts). Everything is read with the intrinsic view getters, never the view's own
 * properties, which a program may shadow. Holding the bytes registered while a request uses them
 * is held-ranges.ts's job.
 */
import { addressOf } from '../engine/native/index.js';
import { types } from 'node:util';
import { BOUNCE_MAX_BYTES, takeBounceSlot, type BounceSlot } from './bounce-slots.js';
import type { HeldRange } from './held-ranges.js';
import type { PooledAiocb } from './types.js';

// The intrinsic view getters: on a Buffer the properties were generic loads in V8's optimised
// submission (engine/view-getters.ts). Taken as this module's own consts: TurboFan folds those
// into the code, and then knows which builtins are called (and inlines them once the view's map is
// known, see readElement); through an imported binding it calls whatever the cell holds.
import * as viewGettersExports from '../engine/view-getters.js';

const { dataViewBuffer, dataViewByteLength, dataViewByteOffset, typedArrayBuffer, typedArrayByteLength, typedArrayByteOffset } = viewGettersExports;

/** The bytes of one view given as aio_buf: what a request on it needs registered. */
export interface BufferRegistration {
  readonly backing: ArrayBufferLike;
  readonly byteOffset: number;
  readonly byteLength: number;
  /** Whether the view is a DataView (else a typed array): which intrinsic getters read it. */
  readonly isDataView: boolean;
  /** The address of the view's first byte. */
  readonly address: number;
  /** The range the last request on this view held (checked before use: it may have been merged or evicted since). */
  range: HeldRange | null;
  /** The bounce slot whose engine memory the request uses instead of the view (nothing to hold), or null. */
  readonly slot: BounceSlot | null;
  /**
   * The Promise twins' aiocb that last served this view, while it is pooled or serving a request
   * (promise-pool.ts): the next request on the view takes it. Null: none. (Typed by what this
   * module may know: aiocb.ts imports it, and a type import back made an import cycle.)
   */
  pooledAiocb: PooledAiocb | null;
}

// Per view, its registration, reused while the view still describes the same bytes: the Promise
// twins assign a lane's Buffer to whichever pooled aiocb is free, and taking the address (an FFI
// call) plus a new registration per request were a tenth of an aio.read's CPU.
const registrations = new WeakMap<ArrayBufferView, BufferRegistration>();

/**
 * What {@link registrations} holds for a view that has been through a bounce slot once (see
 * {@link transferRegistrationOf}): no offset matches it, so the view is registered the next
 * time — one WeakMap lookup for both questions. One per kind of view, as a DataView's offset is
 * read with a different getter.
 */
const SEEN_TYPED_ARRAY: BufferRegistration = { backing: new ArrayBuffer(0), byteOffset: -1, byteLength: -1, isDataView: false, address: 0, range: null, slot: null, pooledAiocb: null };
const SEEN_DATA_VIEW: BufferRegistration = { backing: new ArrayBuffer(0), byteOffset: -1, byteLength: -1, isDataView: true, address: 0, range: null, slot: null, pooledAiocb: null };

/**
 * registrationOf - what a request on `view` needs registered: exactly the view's bytes, and
 * their address.
 */
export function registrationOf(view: ArrayBufferView): BufferRegistration {
  const known = registrations.get(view);
  return known !== undefined && describesView(known, view) ? known : register(view);
}

/**
 * transferRegistrationOf - what a Promise twin's request on all of `view` is submitted with:
 * the view's registration, as {@link registrationOf}; or, for a view this module has not seen
 * before and of at most BOUNCE_MAX_BYTES, a bounce slot's (its `slot` set: the request reads into
 * or writes from the slot, and the caller copies — bounce-slots.ts), the view remembered as seen
 * so that it is registered if it comes again. One WeakMap lookup either way (a reused Buffer's
 * path is registrationOf's).
 *
 * @throws TypeError for a DataView whose store was detached (its byteLength getter throws).
 */
export function transferRegistrationOf(view: ArrayBufferView): BufferRegistration {
  const known = registrations.get(view);
  if (known !== undefined) return describesView(known, view) ? known : register(view);
  const isDataView = types.isDataView(view);
  const byteLength = isDataView ? dataViewByteLength.call(view) : typedArrayByteLength.call(view);
  const slot = byteLength > 0 && byteLength <= BOUNCE_MAX_BYTES ? takeBounceSlot(byteLength) : null;
  if (slot === null) return register(view);
  registrations.set(view, isDataView ? SEEN_DATA_VIEW : SEEN_TYPED_ARRAY);
  return slot.registration;
}

/**
 * Whether a view's remembered registration still describes it. A detached store reads as length
 * 0 (offset 0), and a view of a resizable one may change length: then it is looked at afresh. Its
 * store is not compared: a view's ArrayBuffer is fixed for its life (and the `buffer` getter was a
 * call into C++, ~150 instructions per aio.read), and the first registration has already moved an
 * on-heap view's bytes off the heap. A SEEN mark (offset -1) describes no view.
 */
function describesView(known: BufferRegistration, view: ArrayBufferView): boolean {
  if (known.isDataView) return known.byteOffset === dataViewByteOffset.call(view) && known.byteLength === dataViewByteLength.call(view);
  readElement(view);
  return known.byteOffset === typedArrayByteOffset.call(view) && known.byteLength === typedArrayByteLength.call(view);
}

/**
 * @internal readElement - read a typed array's first element, for its map: V8's optimised code
 * then knows what the view is and inlines the intrinsic byteOffset/byteLength getters called
 * after it as field loads (without a known map each is a builtin call, ~50 instructions with the
 * call, p1shim28). No getter can run: a typed array's integer keys are its own elements, and a
 * detached or empty view reads undefined.
 */
export function readElement(view: ArrayBufferView): void {
  void (view as Uint8Array)[0];
}

/**
 * A view's registration, from what the view really holds: its intrinsic getters, never its own
 * properties, which a program may shadow (an own `byteLength` of 4096 on a 16-byte subarray made
 * the second aio.read of it read 4,096 bytes over the Buffers after it, p1shim28). The address is
 * the store's plus the offset, so that it too comes from the intrinsic values.
 * @throws TypeError for a DataView whose store was detached.
 */
function register(view: ArrayBufferView): BufferRegistration {
  const isDataView = types.isDataView(view);
  const backing = isDataView ? dataViewBuffer.call(view) : typedArrayBuffer.call(view);
  const byteOffset = isDataView ? dataViewByteOffset.call(view) : typedArrayByteOffset.call(view);
  const byteLength = isDataView ? dataViewByteLength.call(view) : typedArrayByteLength.call(view);
  const registration: BufferRegistration = { backing, byteOffset, byteLength, isDataView, address: addressOf(backing) + byteOffset, range: null, slot: null, pooledAiocb: null };
  registrations.set(view, registration);
  return registration;
}
