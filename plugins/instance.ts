/**
 * One pooled copy of a plugin in engine memory, and one run of it. An instance is the plugin's
 * layout with every pointer already set; a run fills its parameter cells (JavaScript values are
 * placed in pooled run memory), submits it, and reads back results, cells, scratch and `out`
 * bytes. The instance is its own chain listener and keeps its abort and timeout handlers, so a
 * run allocates no engine memory and no per-run closures beyond its Promise and its result.
 */
import type { Word } from '../engine/native/index.js';
import * as nativeExports from '../engine/native/index.js';
import * as atomExports from '../engine/atom.js';
import * as wordsExports from '../engine/words.js';
import type { Region } from '../engine/memory.js';
import type { ChainListener, Engine } from '../engine/engine.js';
import type { CannedChain } from '../engine/executor-canned.js';
import * as errorsExports from '../engine/errors.js';
import * as defineExports from './define.js';
import type { PluginLayout } from './define.js';
import * as runMemoryExports from './run-memory.js';
import type { PluginParams } from './types.js';
import type { AtomOutcome, PluginRunResult, RunOptions } from './results.js';
import * as instanceOutcomeExports from './instance-outcome.js';
import * as instanceWordsExports from './instance-words.js';
import { ParamBindings } from './instance-params.js';

export type { AtomOutcome, PluginAbortError, PluginRunResult, RunOptions, StopName } from './results.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { errnoName } = nativeExports;
const { ATOM, STOP, STOP_NAMES } = atomExports;
const { readWord, setWord } = wordsExports;
const { AbortError, SyscallError } = errorsExports;
const { storeField } = defineExports;
const { runMemory } = runMemoryExports;
const { runOutcome } = instanceOutcomeExports;
const { int32Of, layInstance, loadWord, plainCells, resultCells, storeWord } = instanceWordsExports;

/** What an instance needs from its plugin (the Plugin class; an interface here, so this module does not import it). */
export interface InstanceOwner {
  /** The plugin's name, for messages. */
  readonly name: string;
  /** Its compiled layout. */
  readonly layout: PluginLayout;
  /** Each atom's syscall name. */
  readonly calls: readonly string[];
  /** Each parameter's name, by index. */
  readonly paramNames: readonly string[];
  /** Put an instance back in its engine's pool. */
  releaseInstance(instance: PluginInstance): void;
}

/** One pooled copy of a plugin in engine memory. */
export class PluginInstance implements ChainListener {
  /** The plugin this is an instance of. */
  readonly plugin: InstanceOwner;
  /** Address of the instance (its first atom). */
  readonly first: number;
  /** The engine whose memory holds it. */
  readonly engine: Engine;
  /** Its chain as a canned chain: what its runs are submitted as (Engine.submitCanned). */
  readonly canned: CannedChain;
  readonly #region: Region;
  readonly #base: number;
  // The run's parameters: the run memory and the caller's registered bytes they hold.
  readonly #params: ParamBindings;
  // The layout's reset image as little-endian int32 words when it is small and whole words (a
  // canned POSIX chain: two result cells, 16 bytes), else null: reset() stores it word by word.
  readonly #resetWords: Int32Array | null;
  // The region's bytes as int32s when the instance lies 8-byte aligned in them (else null): the
  // words set and reset on every request are stored through it, which costs fewer instructions
  // than a DataView's (no detached-buffer test, no byte-offset arithmetic); x86-64 is
  // little-endian, as the cells are. A detached store reads length 0 there and takes the DataView
  // path, which throws as it always did.
  readonly #int32: Int32Array | null;
  // The plugin's layout, read once: the getter was two calls' worth of loads per set() (P1).
  readonly #layout: PluginLayout;
  // Per parameter, its cell's index in #int32 when a number goes there alone (the cell 8-byte
  // aligned, no scratch field mirroring it), else -1: set()'s usual case is then two int32 stores.
  readonly #plainCells: Int32Array;
  // Per atom, its result cell's index in #int32 (-1: none), for int32Result().
  readonly #resultCells: Int32Array;
  // A reset image of four int32 words (a canned POSIX chain's two result cells) and where it
  // goes in #int32 (-1: reset() takes the general path). Four stores instead of a loop over
  // #resetWords: the loop was ~140 instructions of every P1 read's prepare.
  readonly #resetAt: number;
  readonly #reset0: number;
  readonly #reset1: number;
  readonly #reset2: number;
  readonly #reset3: number;
  #executed = 0;
  // The run in progress (run()).
  #resolve: ((result: PluginRunResult) => void) | null = null;
  #reject: ((error: Error) => void) | null = null;
  #signal: AbortSignal | undefined = undefined;
  #timer: ReturnType<typeof setTimeout> | null = null;
  #aborted = false;
  #reason: unknown = undefined;
  #token = -1;
  #inlineLast = 0;
  // Atoms the chain ran inline before it went asynchronous (Engine.lastSubmit.atoms).
  #inlineAtoms = 0;
  // Bound once: a run adds and removes them without making new closures.
  readonly #onAbort = (): void => this.#abort(this.#signal?.reason);
  readonly #onTimeout = (): void => this.#abort(new DOMException('The operation was aborted due to timeout', 'TimeoutError'));

  /** @internal Made by the plugin's pool: one copy of `plugin`'s layout at `base` in `region`. */
  constructor(plugin: InstanceOwner, engine: Engine, region: Region, base: number) {
    this.plugin = plugin;
    this.engine = engine;
    this.#region = region;
    this.first = base;
    this.canned = engine.cannedChain(base);
    this.#base = base - region.start;
    const layout = plugin.layout;
    this.#params = new ParamBindings(plugin, runMemory(engine), this);
    const image = layout.resetImage;
    if (image.length <= 64 && image.length % 4 === 0) {
      const words = new Int32Array(image.length / 4);
      const imageView = new DataView(image.buffer, image.byteOffset, image.byteLength);
      for (let i = 0; i < words.length; i++) words[i] = imageView.getInt32(i * 4, true);
      this.#resetWords = words;
    } else {
      this.#resetWords = null;
    }
    const view = region.view;
    const int32 = this.#base % 8 === 0 && layout.resetStart % 8 === 0 ? int32Of(region) : null;
    this.#int32 = int32;
    this.#layout = layout;
    this.#plainCells = plainCells(layout, this.#base, int32 !== null);
    this.#resultCells = resultCells(layout, this.#base, int32 !== null);
    const words = this.#resetWords;
    const quad = words !== null && int32 !== null && words.length === 4;
    this.#resetAt = quad ? (this.#base + layout.resetStart) >> 2 : -1;
    this.#reset0 = quad ? words[0] as number : 0;
    this.#reset1 = quad ? words[1] as number : 0;
    this.#reset2 = quad ? words[2] as number : 0;
    this.#reset3 = quad ? words[3] as number : 0;
    layInstance(view, this.#base, base, layout);
  }

  /** reset - restore result cells (to NOT_EXECUTED), local cells and scratch for a new request. */
  reset(): void {
    const quadAt = this.#resetAt;
    const quadInt32 = this.#int32;
    // (A detached store's int32s have length 0: the general path then throws, as it did.)
    if (quadAt >= 0 && quadInt32 !== null && quadAt + 3 < quadInt32.length) {
      quadInt32[quadAt] = this.#reset0;
      quadInt32[quadAt + 1] = this.#reset1;
      quadInt32[quadAt + 2] = this.#reset2;
      quadInt32[quadAt + 3] = this.#reset3;
      this.#executed = 0;
      return;
    }
    const layout = this.#layout;
    const at = this.#base + layout.resetStart;
    // A canned POSIX chain resets two result cells (16 bytes) per request: four int32 stores
    // cost less than sixteen byte stores or the call into TypedArray.prototype.set, which wins
    // for the larger images.
    const words = this.#resetWords;
    const int32 = this.#int32;
    if (words !== null && int32 !== null && (at >> 2) + words.length <= int32.length) {
      const index = at >> 2;
      for (let i = 0; i < words.length; i++) int32[index + i] = words[i] as number;
    } else if (words !== null) {
      const view = this.#region.view;
      for (let i = 0; i < words.length; i++) view.setInt32(at + i * 4, words[i] as number, true);
    } else {
      const image = layout.resetImage;
      const bytes = this.#region.bytes;
      if (image.length <= 64) for (let i = 0; i < image.length; i++) bytes[at + i] = image[i] as number;
      else bytes.set(image, at);
    }
    this.#executed = 0;
  }

  /** set - fill parameter slot `index` (see Plugin.paramIndex) with a word, and the scratch fields and cells that mirror it. */
  set(index: number, value: Word): void {
    const int32 = this.#int32;
    const at = this.#plainCells[index];
    // An int32 as setWord stores it: the value, then its sign as the high word.
    if (int32 !== null && at !== undefined && at >= 0 && typeof value === 'number' && (value | 0) === value && at + 1 < int32.length) {
      int32[at] = value;
      int32[at + 1] = value >> 31;
      return;
    }
    this.#setAny(index, value);
  }

  /** set()'s general case: any word, any cell, and the scratch fields that mirror it. */
  #setAny(index: number, value: Word): void {
    const layout = this.#layout;
    const view = this.#region.view;
    storeWord(this.#int32, view, this.#base + (layout.paramOffsets[index] as number), value);
    const mirrors = layout.paramMirrors[index];
    if (mirrors === undefined || mirrors.length === 0) return;
    for (const mirror of mirrors) {
      if (mirror.width === 8 && !mirror.bigEndian) setWord(view, this.#base + mirror.offset, value);
      else storeField(view, this.#base + mirror.offset, mirror.width, mirror.bigEndian, value);
    }
  }

  /**
   * setParams - fill every parameter by name. Scalars are words; a `path` is copied with its NUL
   * and an `out` gets zeroed bytes, both in pooled run memory; an `in` is registered. All of it is
   * given back by {@link release}.
   * @throws RangeError for a missing or unknown parameter or an out-of-range value; TypeError for
   *   a value of the wrong type or a path with a NUL in it. What was bound is kept until release().
   */
  setParams(params: PluginParams): void {
    this.#params.bind(params);
  }

  /** result - atom `index`'s result cell (NOT_EXECUTED, a bigint, until it has run). */
  result(index: number): Word {
    return loadWord(this.#int32, this.#region.view, this.#base + (this.#layout.retOffsets[index] as number));
  }

  /**
   * int32Result - atom `index`'s result when it is an int32 (what a syscall returns: a count or
   * -errno), read as two int32s; NaN for anything else (NOT_EXECUTED, a wider word, a cell that
   * cannot be read so). What the request engine asks after every run, without making the word
   * ({@link result} was ~110 instructions a P1 read, out of line).
   */
  int32Result(index: number): number {
    const int32 = this.#int32;
    const at = this.#resultCells[index];
    if (int32 === null || at === undefined || at < 0 || at + 1 >= int32.length) return NaN;
    const low = int32[at] as number;
    return int32[at + 1] === low >> 31 ? low : NaN;
  }

  /**
   * executed - whether atom `index` ran in the last run: valid after {@link run}, after
   * Plugin.submit returned > 0, or after {@link recordExecuted} with the mask a listener got.
   */
  executed(index: number): boolean {
    return ((this.#executed >>> index) & 1) === 1;
  }

  /** recordExecuted - keep the executed mask a chain listener received (chainDone's last argument). */
  recordExecuted(mask: number): void {
    this.#executed = mask;
  }

  /**
   * cell - a local cell's current value (after a run: where a loop counter or cursor ended).
   * @throws RangeError for an unknown cell.
   */
  cell(name: string): Word {
    const offset = this.plugin.layout.cellOffsets.get(name);
    if (offset === undefined) throw new RangeError(`plugin '${this.plugin.name}' has no cell '${name}'`);
    return readWord(this.#region.view, this.#base + offset);
  }

  /**
   * scratchWord - read `width` bytes (little-endian, signed) at byte `at` of a scratch area: a
   * field of the struct an atom filled in (st_size of a stat buffer is at 48).
   * @throws RangeError for an unknown area or a field outside it.
   */
  scratchWord(area: string, at: number, width: 4 | 8 = 8): Word {
    const found = this.plugin.layout.scratchAreas.get(area);
    if (found === undefined || at < 0 || at + width > found[1]) throw new RangeError(`plugin '${this.plugin.name}': no ${width}-byte field at ${at} of scratch '${area}'`);
    const offset = this.#base + found[0] + at;
    return width === 8 ? readWord(this.#region.view, offset) : this.#region.view.getInt32(offset, true);
  }

  /** scratchAddress - the address of a scratch area (to hand its bytes to other code). */
  scratchAddress(area: string): number {
    const found = this.plugin.layout.scratchAreas.get(area);
    if (found === undefined) throw new RangeError(`plugin '${this.plugin.name}' has no scratch area '${area}'`);
    return this.first + found[0];
  }

  /** resultAddress - where atom `index` writes its result. */
  resultAddress(index: number): number {
    return this.first + (this.plugin.layout.retOffsets[index] as number);
  }

  /** indexOf - which atom of this instance lives at `address` (-1 if none). */
  indexOf(address: number): number {
    const index = (address - this.first) / ATOM.size;
    return Number.isInteger(index) && index >= 0 && index < this.plugin.layout.atomCount ? index : -1;
  }

  /** outcomes - every atom's outcome after a run (which ran: the engine's executed mask). */
  outcomes(): AtomOutcome[] {
    const ids = this.plugin.layout.atomIds;
    return this.plugin.calls.map((call, index) => {
      const id = ids[index];
      const named = id === undefined ? { index, call } : { index, id, call };
      if (!this.executed(index)) return { ...named, executed: false };
      const result = this.result(index);
      const negative = typeof result === 'bigint' ? result < 0n : result < 0;
      return negative ? { ...named, executed: true, result, errno: errnoName(Number(result)) } : { ...named, executed: true, result };
    });
  }

  /**
   * run - fill the parameters, submit, and settle with the outcome; the instance goes back to
   * its pool when the chain has ended. Plugin.run calls it on a freshly acquired instance.
   */
  run(params: PluginParams, options: RunOptions): Promise<PluginRunResult> {
    try {
      this.setParams(params);
    } catch (error) {
      this.release();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      this.#resolve = resolve;
      this.#reject = reject;
      this.#aborted = false;
      this.#reason = undefined;
      const start = performance.now();
      const submitted = this.engine.submitCanned(this.canned, this);
      if (submitted < 0) {
        this.#resolve = null;
        this.#reject = null;
        this.release();
        // As the path helpers say it: the submission (async_exec) itself failed.
        reject(new SyscallError(submitted, 'async_exec'));
        return;
      }
      const report = this.engine.lastSubmit;
      if (submitted > 0) {
        this.#finish(submitted, report.stop, report.atoms, report.executed, 'inline', (performance.now() - start) * 1e6);
        return;
      }
      this.#token = report.token;
      this.#inlineLast = report.last;
      this.#inlineAtoms = report.atoms;
      this.#signal = options.signal;
      this.#signal?.addEventListener('abort', this.#onAbort, { once: true });
      if (options.timeout !== undefined) this.#timer = setTimeout(this.#onTimeout, options.timeout);
    });
  }

  /** ChainListener: the chain ended on a cachemiss thread. */
  chainDone(last: number, _result: number, atoms: number, stop: number, latencyNs: number, executed: number): void {
    // A chain stopped on its thread before running an atom (cancelled while it waited) names the
    // atom it stopped at, which did not run: where it stopped is then the end of the inline part.
    // The executed mask alone cannot say it: in a loop, the atom a cancel stopped at may have run
    // on an earlier pass. A chain whose count did not grow past its inline part ran nothing since.
    const index = this.indexOf(last);
    const ran = index >= 0 && ((executed >>> index) & 1) === 1 && atoms > this.#inlineAtoms;
    this.#finish(ran ? last : this.#inlineLast, stop, atoms, executed, 'cachemiss', latencyNs);
  }

  #abort(reason: unknown): void {
    if (this.#resolve === null || this.#aborted) return;
    this.#aborted = true;
    this.#reason = reason;
    this.engine.cancelChain(this.#token, this);
  }

  #finish(last: number, stop: number, atoms: number, executed: number, mode: 'inline' | 'cachemiss', latencyNs: number): void {
    this.#signal?.removeEventListener('abort', this.#onAbort);
    this.#signal = undefined;
    if (this.#timer !== null) clearTimeout(this.#timer);
    this.#timer = null;
    this.#executed = executed;
    const resolve = this.#resolve;
    const reject = this.#reject;
    this.#resolve = null;
    this.#reject = null;
    const index = this.indexOf(last);
    const result = runOutcome(this, this.#region, this.#base, this.#params.blocks, this.#params.outBytes, index, STOP_NAMES[stop] ?? String(stop), atoms, mode, latencyNs);
    const aborted = this.#aborted;
    const reason = this.#reason;
    this.#reason = undefined;
    this.release();
    // An abort that came after the chain ended on its own (its thread never saw the cancel) is too
    // late, as for a finished fs.promises call: the run resolves with what every atom did.
    if (!aborted || stop !== STOP.cancelled) resolve?.(result);
    else reject?.(Object.assign(new AbortError(undefined, { cause: reason }), { result }));
  }

  /** release - give back the run memory and registrations the parameters hold, and the instance to its pool. */
  release(): void {
    this.#params.release();
    this.plugin.releaseInstance(this);
  }
}

