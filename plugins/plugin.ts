/**
 * A compiled plugin and its pooled instances. An instance is one copy of the plugin's layout in
 * engine memory with every pointer already set; instances are carved from slabs and reused, so
 * a request costs a few stores and one small copy.
 */
import type { Word } from '../engine/native/index.js';
import { errnoName } from '../engine/native/index.js';
import { ATOM, MAX_ARGS, STOP_NAMES } from '../engine/atom.js';
import { readWord, setWord } from '../engine/words.js';
import type { Region } from '../engine/memory.js';
import type { ChainListener, Engine } from '../engine/engine.js';
import { compileLayout, NOT_EXECUTED, storeField, validateDefinition, type PluginLayout } from './define.js';
import { PluginDefinitionError } from './errors.js';
import type { CellInit, ParamKind, PluginDefinition, PluginParams } from './types.js';

const SLAB_INSTANCES = 32;

/** One atom's outcome in a plugin run. */
export interface AtomOutcome {
  /** The atom's index in the plugin's template. */
  readonly index: number;
  /** The atom's syscall name. */
  readonly call: string;
  /** Whether the atom ran. */
  readonly executed: boolean;
  /** Its one-word result (undefined when it did not run). */
  readonly result?: number | bigint;
  /** The errno name when the result is negative. */
  readonly errno?: string;
}

/** What {@link Plugin.run} resolves to. */
export interface PluginRunResult {
  /** The plugin's name. */
  readonly plugin: string;
  /** Every atom's outcome, by template index (including those that did not run). */
  readonly atoms: readonly AtomOutcome[];
  /** Index of the last executed atom. */
  readonly last: number;
  /** Why the chain stopped: 'end', 'flag', 'fault', 'limit', 'cancelled' or 'died'. */
  readonly stop: string;
  /** Whether the chain completed inline or on a cachemiss thread. */
  readonly mode: 'inline' | 'cachemiss';
  /** Submission to completion, in nanoseconds. */
  readonly latencyNs: number;
}

/** One pooled copy of a plugin in engine memory. */
export class PluginInstance {
  /** The plugin this is an instance of. */
  readonly plugin: Plugin;
  /** Address of the instance (its first atom). */
  readonly first: number;
  readonly #region: Region;
  readonly #base: number;

  constructor(plugin: Plugin, region: Region, base: number) {
    this.plugin = plugin;
    this.#region = region;
    this.first = base;
    this.#base = base - region.start;
    const layout = plugin.layout;
    const view = region.view;
    for (let i = 0; i < layout.atomCount; i++) {
      const atom = this.#base + i * ATOM.size;
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
    for (const [cell, value] of layout.literals) setWord(view, this.#base + cell, value);
    for (const [cell, target] of layout.addressCells) setWord(view, this.#base + cell, base + target);
  }

  /** reset - restore result cells (to "not executed"), local cells and scratch for a new request. */
  reset(): void {
    const layout = this.plugin.layout;
    this.#region.bytes.set(layout.resetImage, this.#base + layout.resetStart);
  }

  /** set - fill parameter `index` (see Plugin.paramIndex) and the scratch fields that mirror it. */
  set(index: number, value: Word): void {
    const layout = this.plugin.layout;
    const view = this.#region.view;
    setWord(view, this.#base + (layout.paramOffsets[index] as number), value);
    const mirrors = layout.paramMirrors[index];
    if (mirrors === undefined || mirrors.length === 0) return;
    for (const mirror of mirrors) {
      if (mirror.width === 8 && !mirror.bigEndian) setWord(view, this.#base + mirror.offset, value);
      else storeField(view, this.#base + mirror.offset, mirror.width, mirror.bigEndian, value);
    }
  }

  /** setParams - fill parameters by name. @throws RangeError for an unknown or missing one. */
  setParams(params: PluginParams): void {
    const layout = this.plugin.layout;
    for (const [name, index] of layout.paramIndex) {
      const value = params[name];
      if (value === undefined) throw new RangeError(`plugin '${this.plugin.name}': missing parameter '${name}'`);
      if (typeof value !== 'number' && typeof value !== 'bigint') throw new TypeError(`plugin '${this.plugin.name}': parameter '${name}' must be a number or bigint`);
      if (typeof value === 'number' && !Number.isSafeInteger(value)) throw new RangeError(`plugin '${this.plugin.name}': parameter '${name}' must be an integer, got ${value}`);
      this.set(index, value);
    }
    for (const name of Object.keys(params)) {
      if (!layout.paramIndex.has(name)) throw new RangeError(`plugin '${this.plugin.name}': unknown parameter '${name}'`);
    }
  }

  /** result - atom `index`'s result cell (NOT_EXECUTED as a bigint when it did not run). */
  result(index: number): Word {
    return readWord(this.#region.view, this.#base + (this.plugin.layout.retOffsets[index] as number));
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

  /** outcomes - every atom's outcome after a run. */
  outcomes(): AtomOutcome[] {
    return this.plugin.calls.map((call, index) => {
      const result = this.result(index);
      if (result === NOT_EXECUTED) return { index, call, executed: false };
      const negative = typeof result === 'bigint' ? result < 0n : result < 0;
      return negative ? { index, call, executed: true, result, errno: errnoName(Number(result)) } : { index, call, executed: true, result };
    });
  }

  /** release - give the instance back to its pool. */
  release(): void {
    this.plugin.releaseInstance(this);
  }
}

interface Pool {
  free: PluginInstance[];
  regions: Region[];
}

/** A compiled canned syslet. */
export class Plugin {
  /** The definition's unique name (`file.readAll`). */
  readonly name: string;
  /** The definition's description ('' when it had none). */
  readonly description: string;
  /** The validated definition it was compiled from. */
  readonly definition: PluginDefinition;
  /** The compiled, instance-independent memory layout. */
  readonly layout: PluginLayout;
  /** The syscall name of each atom. */
  readonly calls: readonly string[];
  readonly #pools = new WeakMap<Engine, Pool>();
  readonly #engines = new WeakMap<PluginInstance, Engine>();

  constructor(definition: PluginDefinition) {
    const specs = validateDefinition(definition);
    this.name = definition.name;
    this.description = definition.description ?? '';
    this.definition = definition;
    this.layout = compileLayout(definition, specs);
    this.calls = specs.map((spec) => spec.name);
  }

  /** The parameters, by name, with their kinds. */
  get params(): Readonly<Record<string, ParamKind>> {
    return this.definition.params;
  }

  /** paramIndex - the index `PluginInstance.set` takes for a parameter. @throws RangeError if unknown. */
  paramIndex(name: string): number {
    const index = this.layout.paramIndex.get(name);
    if (index === undefined) throw new RangeError(`plugin '${this.name}' has no parameter '${name}'`);
    return index;
  }

  /** acquire - a reset instance in `engine`'s memory, from the pool (a new slab when empty). */
  acquire(engine: Engine): PluginInstance {
    let pool = this.#pools.get(engine);
    if (pool === undefined) {
      pool = { free: [], regions: [] };
      this.#pools.set(engine, pool);
    }
    let instance = pool.free.pop();
    while (instance === undefined) {
      const region = engine.alloc(this.layout.size * SLAB_INSTANCES);
      pool.regions.push(region);
      for (let i = SLAB_INSTANCES - 1; i >= 0; i--) {
        const created = new PluginInstance(this, region, region.start + i * this.layout.size);
        this.#engines.set(created, engine);
        pool.free.push(created);
      }
      instance = pool.free.pop();
    }
    instance.reset();
    return instance;
  }

  /**
   * poolStats - how many instances exist for `engine` and how many are free: after a burst of
   * sequential runs `slabs` stays at 1, which is what "no allocation in the hot path" means here.
   */
  poolStats(engine: Engine): {
    /** Slabs allocated in `engine`'s memory (0 before the first acquire). */
    readonly slabs: number;
    /** Instances carved from them, in use or free. */
    readonly instances: number;
    /** Instances in the pool, ready to acquire. */
    readonly free: number;
  } {
    const pool = this.#pools.get(engine);
    if (pool === undefined) return { slabs: 0, instances: 0, free: 0 };
    return { slabs: pool.regions.length, instances: pool.regions.length * SLAB_INSTANCES, free: pool.free.length };
  }

  /** @internal Put an instance back in its engine's pool. */
  releaseInstance(instance: PluginInstance): void {
    const engine = this.#engines.get(instance);
    if (engine !== undefined) this.#pools.get(engine)?.free.push(instance);
  }

  /**
   * submit - run a filled instance: the low-level form the POSIX layer uses.
   * @returns as Engine.submit: > 0 completed inline, 0 asynchronous (listener called later), < 0 -errno.
   */
  submit(engine: Engine, instance: PluginInstance, listener: ChainListener | null): number {
    return engine.submit(instance.first, listener);
  }

  /**
   * run - run the plugin once with `params` and resolve with every atom's result.
   *
   * @param options.signal - aborting rejects the promise at once; the chain itself finishes (a
   *   running syscall cannot be recalled) and its instance returns to the pool afterwards.
   * @throws RangeError/TypeError for bad parameters (synchronously, as a rejected promise);
   *   an Error with the errno when the engine refuses the submission.
   * @example
   * ```ts
   * const { atoms } = await fileReadAll.run(engine, { path: pathBuf.at, buf: data.at, size: 4096 });
   * ```
   */
  run(engine: Engine, params: PluginParams, options: { signal?: AbortSignal } = {}): Promise<PluginRunResult> {
    const signal = options.signal;
    if (signal?.aborted === true) return Promise.reject(signal.reason as Error);
    const instance = this.acquire(engine);
    try {
      instance.setParams(params);
    } catch (error) {
      instance.release();
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise((resolve, reject) => {
      const start = performance.now();
      let settled = false;
      const abort = (): void => {
        settled = true;
        reject(signal?.reason as Error);
      };
      const finish = (last: number, stop: number, mode: 'inline' | 'cachemiss', latencyNs: number): void => {
        signal?.removeEventListener('abort', abort);
        const outcome: PluginRunResult = { plugin: this.name, atoms: instance.outcomes(), last: instance.indexOf(last), stop: STOP_NAMES[stop] ?? String(stop), mode, latencyNs };
        instance.release();
        if (!settled) resolve(outcome);
      };
      signal?.addEventListener('abort', abort, { once: true });
      const submitted = this.submit(engine, instance, {
        chainDone: (last, _result, _atoms, stop, latencyNs) => finish(last, stop, 'cachemiss', latencyNs),
      });
      if (submitted < 0) {
        signal?.removeEventListener('abort', abort);
        instance.release();
        reject(new Error(`plugin '${this.name}': submission refused (${errnoName(submitted)})`));
      } else if (submitted > 0) {
        finish(submitted, engine.lastInlineStop, 'inline', (performance.now() - start) * 1e6);
      }
    });
  }
}

/**
 * definePlugin - validate a canned syslet and compile it once.
 *
 * @returns the plugin, ready to run on any engine.
 * @throws PluginDefinitionError naming the plugin, the atom index and the field, for: an unknown
 *   or denied syscall, a wrong argument count or kind, a reference to an atom that does not run
 *   earlier, too many atoms, a bad `next`, an unknown cell/scratch/parameter, a parameter that is
 *   never used.
 * @example
 * ```ts
 * const openStat = definePlugin({
 *   name: 'file.openStat',
 *   params: { path: 'ptr' },
 *   scratch: { stat: 144 },
 *   atoms: [
 *     { call: 'openat', args: [-100, { param: 'path' }, 0, 0], flags: SYSLET_STOP_ON_NEGATIVE },
 *     { call: 'fstat', args: [{ result: 0 }, { scratch: 'stat' }] },
 *   ],
 * });
 * ```
 */
export function definePlugin(definition: PluginDefinition): Plugin {
  return new Plugin(definition);
}

/**
 * composePlugins - one plugin that runs `parts` in order: where a part's chain would end (a NULL
 * next), it continues with the next part — "glibc just adds an enclosing sys_kill() to the
 * syslet". Parameters with the same name are shared (their kinds must agree); cells and scratch
 * stay private to their part.
 *
 * @throws PluginDefinitionError when the result is invalid (too many atoms, kinds disagree).
 */
export function composePlugins(name: string, parts: readonly Plugin[], description = ''): Plugin {
  const params: Record<string, ParamKind> = {};
  const cells: Record<string, CellInit> = {};
  const scratch: Record<string, NonNullable<PluginDefinition['scratch']>[string]> = {};
  const atoms: PluginDefinition['atoms'][number][] = [];
  parts.forEach((part, partIndex) => {
    const definition = part.definition;
    const offset = atoms.length;
    const following = offset + definition.atoms.length;
    const isLast = partIndex === parts.length - 1;
    const prefix = `${partIndex}:`;
    for (const [param, kind] of Object.entries(definition.params)) {
      const existing = params[param];
      if (existing !== undefined && existing !== kind) throw new PluginDefinitionError(name, -1, `params.${param}`, `is ${existing} in one part and ${kind} in another`);
      params[param] = kind;
    }
    for (const [cell, value] of Object.entries(definition.cells ?? {})) cells[prefix + cell] = value;
    for (const [area, template] of Object.entries(definition.scratch ?? {})) scratch[prefix + area] = template;
    definition.atoms.forEach((atom, index) => {
      const naturalEnd = atom.next === null || (atom.next === undefined && index === definition.atoms.length - 1);
      const next = naturalEnd ? (isLast ? null : following) : atom.next === undefined ? undefined : (atom.next) + offset;
      atoms.push({
        call: atom.call,
        ...(atom.flags === undefined ? {} : { flags: atom.flags }),
        ...(next === undefined ? {} : { next }),
        args: atom.args.map((arg) => {
          if (typeof arg !== 'object') return arg;
          if ('result' in arg) return { result: arg.result + offset };
          if ('cell' in arg) return { cell: prefix + arg.cell };
          if ('ref' in arg) return { ref: prefix + arg.ref };
          if ('scratch' in arg) return { scratch: prefix + arg.scratch };
          if ('resultRef' in arg) return { resultRef: arg.resultRef + offset };
          return arg;
        }),
      });
    });
  });
  return definePlugin({ name, description, params, cells, scratch, atoms });
}
