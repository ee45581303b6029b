/**
 * The intrinsic view getters, for hot paths and for views a caller hands in: `length`,
 * `byteLength`, `buffer` or `byteOffset` can be shadowed by an own property or a subclass getter,
 * and a count taken from one that lies while the bytes are copied by what the view really holds
 * wrote other requests' data (hunt28). Also for hot paths that read a Buffer's or typed array's store, offset
 * or length: `view.byteLength` (and `buffer`, `byteOffset`) on a Buffer is found three prototypes
 * up, and V8 left it a generic property load in optimised code (about 180 instructions each in
 * the POSIX submission, a LoadIC per file in the whole-file reader). Called directly —
 * `typedArrayByteLength.call(view)` — they read what the properties read (0 once the store is
 * detached, the current length of a length-tracking view). DataViews have their own getter, which
 * throws once the store is detached.
 *
 * @example
 * ```ts
 * import { typedArrayByteLength } from './view-getters.js';
 * typedArrayByteLength.call(Buffer.alloc(16)); // 16
 * ```
 */
import { types } from 'node:util';

/** Whether a view is a DataView (of any realm: `instanceof` is not). */
const isDataView = types.isDataView;
const typedArrayPrototype = Object.getPrototypeOf(Uint8Array.prototype) as object;

/** The intrinsic `%TypedArray%.prototype.buffer` getter: `typedArrayBuffer.call(view)`. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- an intrinsic getter, always called with .call(view)
export const typedArrayBuffer = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'buffer')?.get as (this: ArrayBufferView) => ArrayBufferLike;
/** The intrinsic `%TypedArray%.prototype.byteOffset` getter: `typedArrayByteOffset.call(view)`. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- as above
export const typedArrayByteOffset = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'byteOffset')?.get as (this: ArrayBufferView) => number;
/** The intrinsic `%TypedArray%.prototype.byteLength` getter: `typedArrayByteLength.call(view)`. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- as above
export const typedArrayByteLength = Object.getOwnPropertyDescriptor(typedArrayPrototype, 'byteLength')?.get as (this: ArrayBufferView) => number;
/** The intrinsic `DataView.prototype.buffer` getter: `dataViewBuffer.call(view)`. */
// eslint-disable-next-line @typescript-eslint/unbound-method -- as above
export const dataViewBuffer = Object.getOwnPropertyDescriptor(DataView.prototype, 'buffer')?.get as (this: ArrayBufferView) => ArrayBufferLike;
/** The intrinsic `DataView.prototype.byteOffset` getter (throws once the DataView's store is detached). */
// eslint-disable-next-line @typescript-eslint/unbound-method -- as above
export const dataViewByteOffset = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteOffset')?.get as (this: ArrayBufferView) => number;
/** The intrinsic `DataView.prototype.byteLength` getter (throws once the DataView's store is detached). */
// eslint-disable-next-line @typescript-eslint/unbound-method -- as above
export const dataViewByteLength = Object.getOwnPropertyDescriptor(DataView.prototype, 'byteLength')?.get as (this: ArrayBufferView) => number;

/**
 * viewBytes - the bytes a caller's view really holds, as a Uint8Array, whatever its own
 * properties say (a DataView, or a typed array of any element size, of this realm or another).
 *
 * @param view - a Buffer, typed array or DataView.
 * @returns a new Uint8Array over the same memory.
 * @throws TypeError for a DataView whose store was detached (its byteLength getter throws).
 * @example
 * ```ts
 * const b = Buffer.from('hello');
 * Object.defineProperty(b, 'byteLength', { value: 4096 });
 * viewBytes(b).length; // 5
 * ```
 */
export function viewBytes(view: ArrayBufferView): Uint8Array {
  if (isDataView(view)) return new Uint8Array(dataViewBuffer.call(view), dataViewByteOffset.call(view), dataViewByteLength.call(view));
  return new Uint8Array(typedArrayBuffer.call(view), typedArrayByteOffset.call(view), typedArrayByteLength.call(view));
}

/**
 * viewByteLength - how many bytes a caller's view really holds (its intrinsic byteLength).
 *
 * @param view - a Buffer, typed array or DataView.
 * @returns the byte length.
 * @throws TypeError for a detached DataView.
 * @example viewByteLength(new Uint16Array(3)) // 6
 */
export function viewByteLength(view: ArrayBufferView): number {
  return isDataView(view) ? dataViewByteLength.call(view) : typedArrayByteLength.call(view);
}
