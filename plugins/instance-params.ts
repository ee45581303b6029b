/**
 * Binding a plugin run's parameters by name (split from plugins/instance.ts by job): each
 * JavaScript value is checked against its parameter's kind and turned into the word its cell
 * takes — a `path` copied with its NUL and an `out` given zeroed bytes in pooled run memory, an
 * `in` registered (or copied when it is part of a larger store), a scalar range-checked against
 * the narrow scratch fields that mirror it — and every length parameter that names it is set. What
 * a run binds it holds until {@link ParamBindings.release}.
 */
import type { Word } from '../engine/native/index.js';
import * as argumentsExports from '../engine/arguments.js';
import * as viewGettersExports from '../engine/view-getters.js';
import type { PluginLayout } from './define.js';
import { tailOffset, type RunBlock, type RunMemory } from './run-memory.js';
import type { PluginParams } from './types.js';

// Imported bindings as this module's own consts, as in plugins/instance.ts: TurboFan folds a
// module's consts, but loads and hole-checks an imported binding at every use.
const { isFileHandle, pathOf } = argumentsExports;
const { viewBytes } = viewGettersExports;

/** What binding reads of the plugin (the Plugin class; InstanceOwner in plugins/instance.ts). */
export interface ParamOwner {
  /** The plugin's name, for messages. */
  readonly name: string;
  /** Its compiled layout. */
  readonly layout: PluginLayout;
  /** Each parameter's name, by index. */
  readonly paramNames: readonly string[];
}

/** Where bound words go: the instance's set() (its cell and the scratch fields that mirror it). */
export interface ParamTarget {
  set(index: number, value: Word): void;
}

const MIN_WORD = -(2n ** 63n);
const WORD_LIMIT = 2n ** 64n;

/** Parameter kinds whose values are signed: a narrow field takes them two's-complement. */
const SIGNED_KINDS: ReadonlySet<string> = new Set(['int', 'fd', 'off64', 'pid', 'signo']);

/**
 * A scalar parameter copied into a scratch field of 2 or 4 bytes (a sockaddr_in's port) must fit
 * it: its low bytes alone were stored, so net.request's `port` 70000 connected to port 4464 and -1
 * to 65535 (hunt19). Unsigned kinds take 0 … 2^(8w) - 1, signed ones -2^(8w-1) … 2^(8w-1) - 1.
 * @throws RangeError naming the plugin, the parameter, the field's width and the range.
 */
function checkNarrowMirrors(owner: ParamOwner, layout: PluginLayout, index: number, name: string, value: number | bigint): void {
  const mirrors = layout.paramMirrors[index];
  if (mirrors === undefined) return;
  const signed = SIGNED_KINDS.has(layout.paramKinds[index] as string);
  for (const mirror of mirrors) {
    if (mirror.width === 8) continue;
    const bits = BigInt(mirror.width * 8);
    const low = signed ? -(1n << (bits - 1n)) : 0n;
    const high = signed ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const given = BigInt(value);
    if (given < low || given > high) {
      throw new RangeError(`plugin '${owner.name}': parameter '${name}' goes into a ${mirror.width}-byte field and must be from ${low} to ${high}, got ${String(value)}`);
    }
  }
}

/** One instance's parameter bindings: what its current run holds of run memory and the caller's bytes. */
export class ParamBindings {
  /** Per parameter: the run-memory block it holds for this run (a path, an `out`, a copied `in`). */
  readonly blocks: (RunBlock | null)[];
  /** Per `out` parameter: how many bytes it asked for. */
  readonly outBytes: number[];
  // Per parameter: the caller's bytes registered for this run.
  readonly #held: (ArrayBufferView | null)[];
  readonly #owner: ParamOwner;
  readonly #memory: RunMemory;
  readonly #target: ParamTarget;

  /** @internal One per instance: binds `owner`'s parameters into `target` with `memory`. */
  constructor(owner: ParamOwner, memory: RunMemory, target: ParamTarget) {
    const count = owner.layout.paramCount;
    this.blocks = new Array<RunBlock | null>(count).fill(null);
    this.outBytes = new Array<number>(count).fill(0);
    this.#held = new Array<ArrayBufferView | null>(count).fill(null);
    this.#owner = owner;
    this.#memory = memory;
    this.#target = target;
  }

  /**
   * bind - fill every parameter by name (PluginInstance.setParams).
   * @throws RangeError for a missing or unknown parameter or an out-of-range value; TypeError for
   *   a value of the wrong type or a path with a NUL in it. What was bound is kept until release().
   */
  bind(params: PluginParams): void {
    const owner = this.#owner;
    const layout = owner.layout;
    const target = this.#target;
    for (let index = 0; index < layout.paramCount; index++) {
      const name = owner.paramNames[index] as string;
      if (!Object.hasOwn(params, name)) throw new RangeError(`plugin '${owner.name}': missing parameter '${name}'`);
      const value = params[name];
      const kind = layout.paramKinds[index];
      if (kind === 'path') this.#bindPath(index, name, value);
      else if (kind === 'in') this.#bindIn(index, name, value);
      else if (kind === 'out') this.#bindOut(index, name, value);
      else if (kind === 'fd' && isFileHandle(value)) target.set(index, value.fd);
      else if ((typeof value === 'number' && Number.isSafeInteger(value)) || (typeof value === 'bigint' && value >= MIN_WORD && value < WORD_LIMIT)) {
        checkNarrowMirrors(owner, layout, index, name, value);
        target.set(index, value);
      }
      else if (typeof value === 'number' || typeof value === 'bigint') throw new RangeError(`plugin '${owner.name}': parameter '${name}' must be a safe integer or a 64-bit bigint, got ${String(value)}`);
      else throw new TypeError(`plugin '${owner.name}': parameter '${name}' (${kind as string}) must be a number or bigint, got ${typeof value}`);
    }
    for (const name in params) {
      if (Object.hasOwn(params, name) && !layout.paramIndex.has(name)) throw new RangeError(`plugin '${owner.name}': unknown parameter '${name}' (it takes ${owner.paramNames.join(', ') || 'none'})`);
    }
  }

  /** release - give back the run memory and registrations the parameters hold. */
  release(): void {
    const blocks = this.blocks;
    const held = this.#held;
    for (let index = 0; index < blocks.length; index++) {
      const block = blocks[index];
      if (block != null) {
        this.#memory.give(block);
        blocks[index] = null;
      }
      const view = held[index];
      if (view != null) {
        this.#memory.unhold(view);
        held[index] = null;
      }
    }
  }

  #setLength(index: number, length: number): void {
    const slot = this.#owner.layout.lengthIndex.get(this.#owner.paramNames[index] as string);
    if (slot !== undefined) this.#target.set(slot, length);
  }

  #bindPath(index: number, name: string, value: unknown): void {
    // As node:fs reads a path: a string, bytes or a file: URL, never with a NUL in it.
    const path = pathOf(value, name);
    const length = typeof path === 'string' ? Buffer.byteLength(path, 'utf8') : path.length;
    const block = this.#memory.take(length + 1);
    this.blocks[index] = block;
    // At the end of its block (see tailOffset): a length past the NUL leaves the block, -EFAULT.
    const at = tailOffset(block, length + 1);
    if (typeof path === 'string') block.bytes.write(path, at, 'utf8');
    else block.bytes.set(path, at);
    block.bytes[at + length] = 0;
    this.#target.set(index, block.address + at);
    this.#setLength(index, length);
  }

  #bindIn(index: number, name: string, given: unknown): void {
    if (!ArrayBuffer.isView(given)) throw new TypeError(`plugin '${this.#owner.name}': parameter '${name}' (in) must be a Uint8Array or another ArrayBufferView, got ${typeof given}`);
    // The bytes the view holds, by its intrinsic getters: a `byteLength` (or `buffer`,
    // `byteOffset`) of its own that lies must not widen it over the rest of its store.
    const value = viewBytes(given);
    if (value.byteLength === 0) {
      // Nothing to register: the last byte of a block (a zero, RunMemory.take) gives the kernel a
      // valid address and length 0.
      const block = this.#memory.take(1);
      this.blocks[index] = block;
      this.#target.set(index, block.address + tailOffset(block, 1));
    } else if (this.#memory.copiesIn(value)) {
      // Part of a larger store (a pooled Buffer shares Node's 8 KiB one): a copy at the end of a
      // block of its own, so that a length past the view is -EFAULT, never the store's other bytes.
      const block = this.#memory.take(value.byteLength);
      const at = tailOffset(block, value.byteLength);
      block.bytes.set(value, at);
      this.blocks[index] = block;
      this.#target.set(index, block.address + at);
    } else {
      this.#target.set(index, this.#memory.hold(value));
      this.#held[index] = value;
    }
    this.#setLength(index, value.byteLength);
  }

  #bindOut(index: number, name: string, value: unknown): void {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1) {
      throw new (typeof value === 'number' ? RangeError : TypeError)(`plugin '${this.#owner.name}': parameter '${name}' (out) is a byte count, a positive integer; got ${String(value)}`);
    }
    // (Zeros: a block comes from the pool zeroed, see RunMemory.take.)
    const block = this.#memory.take(value);
    const at = tailOffset(block, value);
    this.blocks[index] = block;
    this.outBytes[index] = value;
    this.#target.set(index, block.address + at);
    this.#setLength(index, value);
  }
}
