/**
 * A plugin instance's words in engine memory (split from plugins/instance.ts by job): the layout
 * written once when an instance is made, and the words a request sets and reads on every run
 * (a parameter cell, a result cell), stored through the region's bytes as int32s where they can
 * be: a typed array's access costs fewer instructions than a DataView's (no detached-buffer test,
 * no byte-offset arithmetic), and x86-64 is little-endian, as the cells are. Anything else (a
 * bigint, a number past 2^53, an unaligned word, a detached store, whose int32s have length 0)
 * goes through the DataView as before, which throws where it always did.
 */
import type { Word } from '../engine/native/index.js';
import * as atomExports from '../engine/atom.js';
import * as wordsExports from '../engine/words.js';
import type { Region } from '../engine/memory.js';
import type { PluginLayout } from './define.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { ATOM, MAX_ARGS } = atomExports;
const { readWord, setWord, wordFromHalves } = wordsExports;

const TWO32 = 4294967296;

// Per region, its bytes as int32s (null when its view is not 4-byte aligned): made once per region
// and shared by the instances in it (an array per instance would be 100,000 of them for as many
// requests in flight).
const int32Views = new WeakMap<Region, Int32Array | null>();

/**
 * @internal int32Of - `region`'s bytes as int32s, one array per region.
 * @returns null when the region's view does not start 4-byte aligned.
 * @example const int32 = int32Of(region);
 */
export function int32Of(region: Region): Int32Array | null {
  let int32 = int32Views.get(region);
  if (int32 === undefined) {
    const view = region.view;
    int32 = view.byteOffset % 4 === 0 ? new Int32Array(view.buffer, view.byteOffset, view.byteLength >> 2) : null;
    int32Views.set(region, int32);
  }
  return int32;
}

/**
 * @internal storeWord - store `value` as a 64-bit little-endian word at byte `offset` of a region,
 * as setWord does: through `int32` (the region's int32s, or null) when the word is 8-byte aligned
 * and the value a safe integer, else through `view`.
 * @throws as setWord: TypeError/RangeError from the DataView (a detached store).
 * @example storeWord(int32, region.view, cell, 4096);
 */
export function storeWord(int32: Int32Array | null, view: DataView, offset: number, value: Word): void {
  const at = offset >> 2;
  if (int32 !== null && typeof value === 'number' && (offset & 7) === 0 && at + 1 < int32.length && Number.isSafeInteger(value)) {
    // As setWord stores it: an int32's high word is its sign; else the two halves.
    if ((value | 0) === value) {
      int32[at] = value;
      int32[at + 1] = value >> 31;
    } else {
      const high = Math.floor(value / TWO32);
      int32[at] = value - high * TWO32;
      int32[at + 1] = high;
    }
    return;
  }
  setWord(view, offset, value);
}

/**
 * @internal plainCells - per parameter of `layout`, for an instance at byte `base` of its region:
 * the index of its cell among the region's int32s when a number can be stored there alone (the
 * cell 8-byte aligned, no scratch field mirrors the parameter), else -1; all -1 without int32s.
 * @example const cells = plainCells(layout, base, int32 !== null);
 */
export function plainCells(layout: PluginLayout, base: number, hasInt32: boolean): Int32Array {
  const cells = new Int32Array(layout.paramCount).fill(-1);
  if (!hasInt32) return cells;
  for (let i = 0; i < cells.length; i++) {
    const offset = base + (layout.paramOffsets[i] as number);
    const mirrors = layout.paramMirrors[i];
    if ((offset & 7) === 0 && (mirrors === undefined || mirrors.length === 0)) cells[i] = offset >> 2;
  }
  return cells;
}

/**
 * @internal resultCells - per atom of `layout`, for an instance at byte `base` of its region: the
 * index of its result cell among the region's int32s when 8-byte aligned, else -1 (all -1
 * without int32s).
 * @example const cells = resultCells(layout, base, int32 !== null);
 */
export function resultCells(layout: PluginLayout, base: number, hasInt32: boolean): Int32Array {
  const cells = new Int32Array(layout.atomCount).fill(-1);
  if (!hasInt32) return cells;
  for (let i = 0; i < cells.length; i++) {
    const offset = base + (layout.retOffsets[i] as number);
    if ((offset & 7) === 0) cells[i] = offset >> 2;
  }
  return cells;
}

/**
 * @internal loadWord - the word at byte `offset` of a region, as readWord reads it (a number
 * while exact, else a bigint): through `int32` when 8-byte aligned there, else through `view`.
 * @throws as readWord (a detached store).
 * @example const result = loadWord(int32, region.view, cell);
 */
export function loadWord(int32: Int32Array | null, view: DataView, offset: number): Word {
  const at = offset >> 2;
  if (int32 !== null && (offset & 7) === 0 && at + 1 < int32.length) return wordFromHalves(int32[at] as number, int32[at + 1] as number);
  return readWord(view, offset);
}

/**
 * @internal layInstance - write `layout`'s atoms, literals and address cells for an instance at
 * byte `at` of `view` (its address `base`): every pointer set, once, when the instance is made.
 * @example layInstance(region.view, base - region.start, base, plugin.layout);
 */
export function layInstance(view: DataView, at: number, base: number, layout: PluginLayout): void {
  for (let i = 0; i < layout.atomCount; i++) {
    const atom = at + i * ATOM.size;
    setWord(view, atom + ATOM.flags, layout.flags[i] as number);
    setWord(view, atom + ATOM.nr, layout.numbers[i] as number);
    setWord(view, atom + ATOM.ret_ptr, base + (layout.retOffsets[i] as number));
    const next = layout.next[i] as number;
    setWord(view, atom + ATOM.next, next < 0 ? 0 : base + next * ATOM.size);
    const args = layout.argOffsets[i] as readonly number[];
    for (let a = 0; a < MAX_ARGS; a++) {
      const cell = args[a] as number;
      setWord(view, atom + ATOM.arg_ptr + a * 8, cell < 0 ? 0 : base + cell);
    }
    setWord(view, atom + ATOM.private, 0);
  }
  for (const [cell, value] of layout.literals) setWord(view, at + cell, value);
  for (const [cell, target] of layout.addressCells) setWord(view, at + cell, base + target);
}
