/**
 * The argument checks of Node's FileHandle methods and getOptions, where syslet-aio/fs cannot
 * hand the call to node:fs/promises (a Node FileHandle cannot be made for an fd it did not open).
 * The errors come from engine/arguments.ts (Node's codes, classes and messages); this module adds
 * Node's wording of a list of expected types (internal/errors.js) and the validators
 * (internal/validators.js, internal/fs/utils.js) those methods call, in the same order.
 */
import { invalidArgType as nodeInvalidArgType, invalidArgValue, outOfRange } from '../engine/arguments.js';

export { invalidArgValue, outOfRange };

const K_TYPES = new Set(['string', 'function', 'number', 'object', 'Function', 'Object', 'boolean', 'bigint', 'symbol']);
const CLASS_NAME = /^[A-Z][a-zA-Z0-9]*$/;

function formatList(items: readonly string[], word: string): string {
  if (items.length <= 2) return items.join(` ${word} `);
  return `${items.slice(0, -1).join(', ')}, ${word} ${items[items.length - 1] as string}`;
}

/** Node's wording of what an argument must be, from its list of expected types and classes. */
function expectation(expected: string | readonly string[]): string {
  const list = typeof expected === 'string' ? [expected] : expected;
  const types: string[] = [];
  const instances: string[] = [];
  const other: string[] = [];
  for (const value of list) {
    if (K_TYPES.has(value)) types.push(value.toLowerCase());
    else if (CLASS_NAME.test(value)) instances.push(value);
    else other.push(value);
  }
  if (instances.length > 0) {
    const at = types.indexOf('object');
    if (at !== -1) {
      types.splice(at, 1);
      instances.push('Object');
    }
  }
  let phrase = '';
  if (types.length > 0) {
    phrase += `${types.length > 1 ? 'one of type' : 'of type'} ${formatList(types, 'or')}`;
    if (instances.length > 0 || other.length > 0) phrase += ' or ';
  }
  if (instances.length > 0) {
    phrase += `an instance of ${formatList(instances, 'or')}`;
    if (other.length > 0) phrase += ' or ';
  }
  if (other.length > 0) {
    if (other.length > 1) phrase += `one of ${formatList(other, 'or')}`;
    else phrase += `${(other[0] as string).toLowerCase() !== other[0] ? 'an ' : ''}${other[0] as string}`;
  }
  return phrase;
}

/** ERR_INVALID_ARG_TYPE from Node's list of expected types (`['Buffer', 'TypedArray', 'DataView']`). */
export function invalidArgType(name: string, expected: string | readonly string[], actual: unknown): TypeError {
  return nodeInvalidArgType(name, expectation(expected), actual);
}

/** Node's validateInteger. */
export function validateInteger(value: unknown, name: string, min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

/**
 * Node's validatePosition (internal/fs/utils.js, Node 21 and later): -1 or more, a safe integer
 * or a bigint that leaves room for `length` bytes below 2^63.
 */
export function validatePosition(value: unknown, name: string, length: number): asserts value is number | bigint {
  if (typeof value === 'number') {
    validateInteger(value, name, -1);
  } else if (typeof value === 'bigint') {
    const max = 2n ** 63n - 1n - BigInt(length);
    if (!(value >= -1n && value <= max)) throw outOfRange(name, `>= -1 && <= ${max}`, value);
  } else {
    throw invalidArgType(name, ['integer', 'bigint'], value);
  }
}

/** Node's validateInt32. */
export function validateInt32(value: unknown, name: string, min = -2147483648, max = 2147483647): asserts value is number {
  if (typeof value !== 'number') throw invalidArgType(name, 'number', value);
  if (!Number.isInteger(value)) throw outOfRange(name, 'an integer', value);
  if (value < min || value > max) throw outOfRange(name, `>= ${min} && <= ${max}`, value);
}

/** Node's validateOffsetLengthRead. */
export function validateOffsetLengthRead(offset: number, length: number, bufferLength: number): void {
  if (offset < 0) throw outOfRange('offset', '>= 0', offset);
  if (length < 0) throw outOfRange('length', '>= 0', length);
  if (offset + length > bufferLength) throw outOfRange('length', `<= ${bufferLength - offset}`, length);
}

/** Node's validateOffsetLengthWrite. */
export function validateOffsetLengthWrite(offset: number, length: number, byteLength: number): void {
  if (offset > byteLength) throw outOfRange('offset', `<= ${byteLength}`, offset);
  if (length > byteLength - offset) throw outOfRange('length', `<= ${byteLength - offset}`, length);
  if (length < 0) throw outOfRange('length', '>= 0', length);
  validateInt32(length, 'length', 0);
}

/** Node's validateBufferArray. */
export function validateBufferArray(buffers: unknown, name = 'buffers'): asserts buffers is ArrayBufferView[] {
  if (!Array.isArray(buffers)) throw invalidArgType(name, 'ArrayBufferView[]', buffers);
  for (const buffer of buffers) if (!ArrayBuffer.isView(buffer)) throw invalidArgType(name, 'ArrayBufferView[]', buffers);
}

/**
 * Node's getOptions (internal/fs/utils.js) with its errors: null, undefined or a function mean
 * `defaults`; a string is the encoding; anything else but an object is ERR_INVALID_ARG_TYPE; an
 * unknown encoding is ERR_INVALID_ARG_VALUE; a `signal` that is not an AbortSignal is
 * ERR_INVALID_ARG_TYPE.
 */
export function nodeOptions(options: unknown, defaults: Readonly<Record<string, unknown>>): Readonly<Record<string, unknown>> {
  if (options === null || options === undefined || typeof options === 'function') return defaults;
  let result: Readonly<Record<string, unknown>>;
  if (typeof options === 'string') result = { ...defaults, encoding: options };
  else if (typeof options === 'object') result = options as Record<string, unknown>;
  else throw invalidArgType('options', ['string', 'Object'], options);
  const encoding = result.encoding;
  if (encoding !== 'buffer' && encoding && !(typeof encoding === 'string' && Buffer.isEncoding(encoding))) throw invalidArgValue('encoding', encoding, 'is invalid encoding');
  const signal = result.signal;
  if (signal !== undefined && (signal === null || typeof signal !== 'object' || !('aborted' in signal))) throw invalidArgType('options.signal', 'AbortSignal', signal);
  return result;
}
