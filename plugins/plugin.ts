/**
 * A compiled plugin and its pooled instances. definePlugin makes the plugin's own frozen copy of
 * the definition (shape.ts), checks it against the syscall table and its own names (define.ts),
 * and compiles it once. Instances are carved from slabs whose every cell and scratch area is its
 * own bound, and reused, so a request costs a few stores and one small copy.
 */
import { Engine, type ChainListener } from '../engine/engine.js';
import { invalidArgType, optionsOf, signalOf } from '../engine/arguments.js';
import { AbortError } from '../engine/errors.js';
import { paced } from '../engine/event-loop-turns.js';
import { compileLayout, validateDefinition, type PluginLayout } from './define.js';
import { PluginInstance, type InstanceOwner, type PluginRunResult, type RunOptions } from './instance.js';
import { ownedDefinition } from './shape.js';
import type { ArgTemplate, AtomRef, AtomTemplate, CellInit, OutParams, ParamKinds, ParamValues, PluginDefinition, ScratchTemplate } from './types.js';

export { PluginInstance, type AtomOutcome, type PluginAbortError, type PluginRunResult, type RunOptions, type StopName } from './instance.js';

/** The first slab's instances; each later slab holds twice the one before, up to {@link MOST_SLAB_INSTANCES}. */
const SLAB_INSTANCES = 32;
/**
 * The largest slab: slabs grow so that tens of thousands of instances in use at once (a request
 * each, all in flight) take a few dozen of the engine's 4,096 memory regions, not one per 32.
 */
const MOST_SLAB_INSTANCES = 1024;
/** The longest `timeout` setTimeout can keep (2^31 - 1 ms). */
const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** What compiling a definition makes: the plugin's own frozen copy and its layout. */
interface Compiled<P extends ParamKinds, C extends string, S extends string, Id extends string> {
  readonly definition: PluginDefinition<P, C, S, Id>;
  readonly layout: PluginLayout;
  readonly calls: readonly string[];
  readonly paramNames: readonly string[];
}

/** Set by {@link defineBuiltinPlugin} for the one constructor call it makes. */
let deferNextPlugin = false;
/** Definitions compiled so far in this process (see {@link pluginCompilations}). */
let compilations = 0;

/**
 * pluginCompilations - how many plugin definitions this process has compiled: what shows that
 * importing a module compiles none of its built-ins, and that a call compiles only its own.
 *
 * @internal
 * @returns the count since the process started.
 */
export function pluginCompilations(): number {
  return compilations;
}

/**
 * compile - copy, check and compile a definition.
 * @throws PluginDefinitionError as definePlugin does.
 */
function compile<P extends ParamKinds, C extends string, S extends string, Id extends string>(definition: PluginDefinition<P, C, S, Id>): Compiled<P, C, S, Id> {
  const owned = ownedDefinition(definition) as PluginDefinition<P, C, S, Id>;
  const validated = validateDefinition(owned);
  compilations++;
  return {
    definition: owned,
    layout: compileLayout(owned, validated),
    calls: Object.freeze(validated.specs.map((spec) => spec.name)),
    paramNames: Object.freeze(Object.keys(owned.params)),
  };
}

interface Pool {
  free: PluginInstance[];
  regions: ReturnType<Engine['alloc']>[];
  /** Instances carved from `regions`, in use or free. */
  instances: number;
}

/**
 * A dropped plugin's slabs go back to their engines. While a chain runs on an instance the engine
 * holds the instance as its listener, and the instance its plugin: a plugin the collector finds
 * unreachable has no chain in flight, and nothing can touch its slabs. The held value names the
 * engine weakly and the regions (which do not reach the plugin), so it keeps neither alive. Without
 * it, a long-lived engine running plugins defined over time (from JSON, per tenant, composed per
 * request) ran out of its 4,096 regions after 4,096 of them, each run once and dropped.
 */
const droppedPlugins = new FinalizationRegistry<{ readonly engine: WeakRef<Engine>; readonly regions: ReturnType<Engine['alloc']>[] }>(({ engine, regions }) => {
  const live = engine.deref();
  if (live === undefined) return;
  for (const region of regions) {
    try {
      live.free(region);
    } catch {
      // Refused (a region the program pinned as its completion ring): it stays the engine's.
    }
  }
});

/**
 * A compiled canned syslet. The type parameters come from its definition: the parameters and
 * their kinds (what {@link run} accepts), the local cells, scratch areas and atom ids (what its
 * result names).
 */
export class Plugin<P extends ParamKinds = ParamKinds, C extends string = string, S extends string = string, Id extends string = string> implements InstanceOwner {
  /** The definition's unique name (`file.readAll`). */
  readonly name: string;
  /** The definition's description ('' when it had none). */
  readonly description: string;
  readonly #pools = new WeakMap<Engine, Pool>();
  /** A built-in's definition as its module wrote it, until its first use compiles it. */
  #source: PluginDefinition<P, C, S, Id> | undefined;
  #compiled: Compiled<P, C, S, Id> | undefined;

  /**
   * Compiles `definition` (prefer {@link definePlugin}, which infers the types).
   * @throws PluginDefinitionError as definePlugin does.
   */
  constructor(definition: PluginDefinition<P, C, S, Id>) {
    if (deferNextPlugin) {
      // A built-in (defineBuiltinPlugin): the library's own definitions, checked by its tests,
      // compiled on first use rather than at import (46 of them cost 11-12 ms of a fresh
      // process's import of syslet-aio/fs, where a program uses a few).
      deferNextPlugin = false;
      this.#source = definition;
      this.name = definition.name;
      this.description = definition.description ?? '';
      return;
    }
    this.#compiled = compile(definition);
    this.name = this.#compiled.definition.name;
    this.description = this.#compiled.definition.description ?? '';
  }

  /** The plugin's own copy of its definition: deep-copied and frozen when it was compiled. */
  get definition(): PluginDefinition<P, C, S, Id> {
    return (this.#compiled ?? this.#compileSource()).definition;
  }

  /** The compiled, instance-independent memory layout. */
  get layout(): PluginLayout {
    return (this.#compiled ?? this.#compileSource()).layout;
  }

  /** The syscall name of each atom. */
  get calls(): readonly string[] {
    return (this.#compiled ?? this.#compileSource()).calls;
  }

  /** Each parameter's name, by index (the order `PluginInstance.set` uses). */
  get paramNames(): readonly string[] {
    return (this.#compiled ?? this.#compileSource()).paramNames;
  }

  #compileSource(): Compiled<P, C, S, Id> {
    const compiled = compile(this.#source as PluginDefinition<P, C, S, Id>);
    this.#compiled = compiled;
    this.#source = undefined;
    return compiled;
  }

  /** The parameters, by name, with their kinds (frozen). */
  get params(): P {
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
      pool = { free: [], regions: [], instances: 0 };
      this.#pools.set(engine, pool);
      droppedPlugins.register(this, { engine: new WeakRef(engine), regions: pool.regions });
    }
    let instance = pool.free.pop();
    while (instance === undefined) {
      // Every cell and scratch area of every instance is its own segment: a length that runs past
      // one is -EFAULT, never a write into the next area or the next instance.
      const count = Math.min(SLAB_INSTANCES * 2 ** pool.regions.length, MOST_SLAB_INSTANCES);
      const region = engine.alloc(this.layout.size * count, { period: this.layout.size, starts: this.layout.segmentStarts });
      pool.regions.push(region);
      pool.instances += count;
      for (let i = count - 1; i >= 0; i--) pool.free.push(new PluginInstance(this, engine, region, region.start + i * this.layout.size));
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
    return { slabs: pool.regions.length, instances: pool.instances, free: pool.free.length };
  }

  /** @internal Put an instance back in its engine's pool. */
  releaseInstance(instance: PluginInstance): void {
    this.#pools.get(instance.engine)?.free.push(instance);
  }

  /**
   * submit - run a filled instance: the low-level form the POSIX layer uses.
   * @returns as Engine.submit: > 0 completed inline (then `instance.executed(i)` is valid), 0
   *   asynchronous (the listener is called, with the executed mask last), < 0 -errno.
   */
  submit(engine: Engine, instance: PluginInstance, listener: ChainListener | null, offRing = false): number {
    const submitted = engine.submit(instance.first, listener, offRing);
    if (submitted > 0) instance.recordExecuted(engine.lastSubmit.executed);
    return submitted;
  }

  /**
   * run - run the plugin once and resolve with what it did.
   *
   * @param engine - where it runs.
   * @param params - every parameter by name: numbers or bigints for scalar kinds, a string,
   *   Buffer or file: URL for `path`, an ArrayBufferView for `in`, a byte count for `out`.
   * @param options - `signal` and/or `timeout` (ms): either stops the chain before its next atom
   *   and interrupts a call it is blocked in, then rejects with an AbortError whose `cause` is
   *   the reason and whose `result` says where the chain stopped.
   * @returns the outcome: per-atom results (`atoms`, `byId`), where and why it stopped (`last`,
   *   `stop`), `atomsExecuted`, final `cells`, `scratch` and `outputs`.
   * @throws (rejects) RangeError/TypeError for bad parameters or options (TypeError
   *   ERR_INVALID_ARG_TYPE for a `signal` that is not an AbortSignal); AbortError on abort
   *   or timeout; SyscallError (`syscall` 'async_exec') when the engine refuses the submission
   *   (ESHUTDOWN, EAGAIN).
   * @example
   * ```ts
   * const { byId, outputs } = await readFile.run(engine, { path: '/etc/hostname', buf: 4096 });
   * console.log(outputs.buf.subarray(0, Number(byId.read.result)).toString());
   * ```
   */
  run(engine: Engine, params: ParamValues<P>, options: RunOptions = {}): Promise<PluginRunResult<C, S, Id, OutParams<P>>> {
    let signal: AbortSignal | undefined;
    let timeout: number | undefined;
    try {
      // Checked before anything is acquired: a signal the run cannot listen to was an uncoded
      // TypeError, then an uncaught one from the completion that removed its listener; a missing
      // engine was "Invalid value used as weak map key".
      if (!(engine instanceof Engine)) throw invalidArgType('engine', 'an instance of Engine', engine);
      const given = optionsOf(options);
      timeout = given.timeout;
      signal = signalOf(given.signal);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new TypeError(String(error)));
    }
    if (timeout !== undefined && !(typeof timeout === 'number' && timeout > 0 && timeout <= MAX_TIMEOUT_MS)) {
      return Promise.reject(new RangeError(`timeout must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(timeout)}`));
    }
    if (signal?.aborted === true) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
    let instance: PluginInstance;
    try {
      // The plugin's first slab on this engine may find no room (its region table or segment
      // table full): still a rejection, never a throw from a function that returns a Promise.
      instance = this.acquire(engine);
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    // An inline chain settles in the microtask queue: past this turn's budget it waits for the next turn.
    return paced(instance.run(params, { signal, timeout }));
  }
}

type Names<P> = keyof P & string;

/** An atom as {@link definePlugin} takes it: references are checked against the definition's own names. */
export interface AtomInput<P extends string, C extends string, S extends string, Id extends string> extends Omit<AtomTemplate<P, C, S, Id>, 'args' | 'next'> {
  /** The call's arguments, in order (as many as the call takes). */
  readonly args: readonly ArgTemplate<P, C, S, NoInfer<Id>>[];
  /** The atom to run next, by index or id; `null` ends the chain here. */
  readonly next?: AtomRef<NoInfer<Id>> | null;
}

/**
 * What {@link definePlugin} takes: a {@link PluginDefinition} whose names are inferred from the
 * literal, so that a `{ param }`, `{ cell }`, `{ scratch }`, `{ result }` or `next` naming
 * something the definition does not declare fails to compile.
 */
export interface DefinitionInput<P extends ParamKinds, C extends string, S extends string, Id extends string> {
  /** Unique name, dotted by family: `aio.read`, `file.readAll`. */
  readonly name: string;
  /** One line for listings. */
  readonly description?: string;
  /** The parameters filled per request, by name, with their kinds; each must be used. */
  readonly params: P;
  /** Local 64-bit cells with their initial value, reset on every request. */
  readonly cells?: { readonly [K in C]: CellInit<NoInfer<Names<P>>> };
  /** Local byte areas by name: a template, or just a size in bytes. */
  readonly scratch?: { readonly [K in S]: ScratchTemplate<NoInfer<Names<P>>> | number };
  /** The atoms, run from index 0 (at most 16). */
  readonly atoms: readonly AtomInput<NoInfer<Names<P>>, NoInfer<C>, NoInfer<S>, Id>[];
}

/**
 * definePlugin - validate a canned syslet and compile it once. The plugin keeps a deep-copied,
 * frozen copy of `definition`: changing the object afterwards changes nothing.
 *
 * @returns the plugin, ready to run on any engine; `run`'s parameters and result are typed from
 *   the definition.
 * @throws PluginDefinitionError naming the plugin, the atom index, the field and its path, for:
 *   a definition or field of the wrong shape (an unknown key, `null` for an atom, missing
 *   `args`), an unknown or denied syscall, a wrong argument count or kind, a reference to an
 *   atom that does not run before this one on every path, too many atoms, a bad `next` or id,
 *   flags outside 0..0xff, an unknown cell/scratch/parameter, a parameter that is never used.
 * @example
 * ```ts
 * const openStat = definePlugin({
 *   name: 'file.openStat',
 *   params: { path: 'path' },
 *   scratch: { stat: 144 },
 *   atoms: [
 *     { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0, 0], flags: SYSLET_STOP_ON_NEGATIVE },
 *     { call: 'fstat', args: [{ result: 'open' }, { scratch: 'stat' }] },
 *   ],
 * });
 * ```
 */
export function definePlugin<const P extends ParamKinds, const C extends string = never, const S extends string = never, const Id extends string = never>(
  definition: DefinitionInput<P, C, S, Id>,
): Plugin<P, C, S, Id> {
  return new Plugin(definition);
}

/**
 * defineBuiltinPlugin - definePlugin for the library's own canned syslets: the same plugin, but
 * its definition is copied, checked and compiled on first use (the first `acquire`, `run`, or
 * read of `definition`, `layout`, `calls` or `paramNames`) instead of when its module loads, so a
 * program pays only for the built-ins it uses. Its definition must not change after the call;
 * test/plugins-every-built-in-definition-compiles.test.ts compiles every one.
 *
 * @internal
 * @returns the plugin.
 * @throws PluginDefinitionError at first use, as definePlugin would at definition.
 */
export function defineBuiltinPlugin<const P extends ParamKinds, const C extends string = never, const S extends string = never, const Id extends string = never>(
  definition: DefinitionInput<P, C, S, Id>,
): Plugin<P, C, S, Id> {
  deferNextPlugin = true;
  try {
    return new Plugin(definition);
  } finally {
    deferNextPlugin = false;
  }
}
