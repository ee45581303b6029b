/**
 * Differential fuzz of the plugin layer: definePlugin → the compiled canned chain → plugin.run on
 * an Engine, against a reference interpreter (test/fuzz/plugins-ref.ts) that walks the same
 * template and makes the same syscalls directly on twin files.
 *
 * A case is one of:
 * - a random valid plugin (test/fuzz/plugins-gen.ts: 1–16 atoms of getpid, getuid, umem_add,
 *   umem_add32, read_size, lseek, pread64, pwrite64, read, write, fstat, fdatasync on the fuzz's
 *   files; arguments from parameters of every scalar and buffer kind, cells, refs, results,
 *   scratch areas, literals with edge values; random stop flags, SKIP_TO_NEXT_ON_STOP, `next`
 *   targets, countdown loops). definePlugin must accept it. It then runs 10–100 times with one of
 *   a few parameter sets each time (so the engine's canned plan is made, reused, and made again
 *   when an `in` buffer's registration moves the registry's version), sometimes after its files'
 *   pages were dropped (POSIX_FADV_DONTNEED: reads go to the ring or a cachemiss thread),
 *   sometimes as 2–3 runs in flight at once on different files. Every run is compared with the
 *   reference: per atom executed or not and its result (and errno name), stop, last, lastId,
 *   atomsExecuted, the final cells, scratch areas and `out` bytes, the `ptr` parameter's memory,
 *   and each file's bytes and position;
 * - one case in seven of those: two generated plugins composed with composePlugins (accepted
 *   when their shared parameters agree and they have 16 atoms in all, else refused with a
 *   PluginDefinitionError), run and compared the same way with the reference's composition
 *   (plugins-ref.ts composedReference: the next part begins where a part's chain would end);
 * - a mutation of a built-in definition (test/fuzz/plugins-mutate.ts): a plugin or a
 *   PluginDefinitionError naming the field, never another error, and refused when the grammar
 *   refuses it for certain.
 * A run that does not settle within 10 s is a finding (a hang).
 *
 * Run standalone: `node --import tsx test/fuzz/plugins.ts --seed 1 --seconds 10 [--cases N]
 * [--from 0] [--only 3,17] [--engine io_uring|threads] [--known] [--out f.json]`. `--known` also
 * makes the inputs of findings F4-F6 (docs/reliability.md, "Session 20: plugfuzz20"; F6 is open):
 * runs aborted right after their submission, each compared, for as many atoms as it ran, with the
 * reference stopped at that count. `--only 22,23,44` runs those cases alone (on the
 * same engines, in order); SYSLET_FUZZ_DEBUG=1 prints each case's engine shape and, for a finding,
 * both sides' results.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine, PluginDefinitionError, composePlugins, definePlugin, definitionFromJson, type Plugin, type PluginRunResult } from '../../index.js';
import { syscallWord } from '../../engine/native/index.js';
import { NR } from '../../engine/syscalls/nr.js';
import type { EngineKind } from '../../engine/uring-select.js';
import type { ParamKind, PluginDefinition } from '../../plugins/types.js';
import { generate, type Generated } from './plugins-gen.js';
import { Unpredictable, composedReference, runReference, type RefOutcome, type RefParam } from './plugins-ref.js';
import { mutateBuiltin } from './plugins-mutate.js';
import { closeSlot, compare, describe, engineParams, makeSlot, makeVariant, referenceParams, type Slot, type Variant } from './plugins-world.js';
import { Prng, seedFor } from './prng.js';
import { writeCheckpoint } from './checkpoint.js';
import { argValue, finishRun } from './driver-cli.js';
import { within } from '../helpers/within.js';

/**
 * The engines a case runs on: maxAtomsPerChain (a loop that never leaves stops with `limit` after
 * this many atoms) and inlineBudget (past it the rest of a chain goes to a cachemiss thread, from
 * the middle of a canned plan with 2 or 3: a plan covers up to 4 atoms).
 */
export const ENGINE_SHAPES = [{ maxAtomsPerChain: 200 }, { maxAtomsPerChain: 37, inlineBudget: 3 }, { maxAtomsPerChain: 3, inlineBudget: 2 }] as const;
const RUN_MS = 10_000;
/** Plugin cases per set of engines (see F8 in docs/reliability.md, Session 20: plugfuzz20). */
const ENGINE_CASES = 200;
const POSIX_FADV_DONTNEED = 4;

/** What one run of the driver saw. */
export interface PluginsReport {
  seed: number;
  engine: string;
  cases: number;
  plugins: number;
  /** Of the plugins, two generated ones composed with composePlugins; and compositions refused (parameters that disagree, more than 16 atoms). */
  compositions: number;
  compositionsRefused: number;
  /** Plugins defined from their JSON text. */
  fromJson: number;
  mutations: number;
  mutationsRefused: number;
  runs: number;
  concurrentRuns: number;
  cacheDrops: number;
  /** Times the `ptr` memory was unregistered or registered again between runs. */
  memToggles: number;
  atomsCompared: number;
  atomsExecuted: number;
  stops: Record<string, number>;
  modes: Record<string, number>;
  /** Plugin cases per engine shape (its index in ENGINE_SHAPES). */
  shapes: Record<string, number>;
  /** Runs aborted right after submission, and those of them that were cancelled (the rest had ended inline). */
  abortedRuns: number;
  cancelled: number;
  /** Cancelled runs whose last call was interrupted (-EINTR): the case ends there. */
  interrupted: number;
  /** Cases ended early because the reference could not predict a run (see plugins-ref.ts). */
  unpredictable: number;
  violations: string[];
  elapsedMs: number;
}

/** Options of a run. */
export interface PluginsOptions {
  readonly seed: number;
  readonly seconds: number;
  readonly maxCases?: number;
  readonly from?: number;
  readonly engine?: EngineKind;
  readonly known?: boolean;
  /** Only these cases (a replay of a finding that needs earlier cases on the same engines). */
  readonly only?: readonly number[];
  readonly checkpoint?: (index: number) => void;
}


/**
 * runPlugins - the differential fuzz: cases until `seconds` pass or `maxCases` ran.
 * @returns the report; its `violations` are the findings.
 */
export async function runPlugins(options: PluginsOptions): Promise<PluginsReport> {
  const started = performance.now();
  const makeEngines = (): Engine[] => ENGINE_SHAPES.map((shape) => new Engine({ ...shape, ...(options.engine === undefined ? {} : { engine: options.engine }) }));
  let engines = makeEngines();
  let casesOnEngines = 0;
  const engine = engines[0] as Engine;
  const dir = mkdtempSync(join(tmpdir(), 'syslet-plugins-fuzz-'));
  const report: PluginsReport = {
    seed: options.seed, engine: engine.asyncEngine.kind, cases: 0, plugins: 0, compositions: 0, compositionsRefused: 0, fromJson: 0, mutations: 0, mutationsRefused: 0, runs: 0, concurrentRuns: 0,
    cacheDrops: 0, memToggles: 0, atomsCompared: 0, atomsExecuted: 0, stops: {}, modes: {}, shapes: {}, abortedRuns: 0, cancelled: 0, interrupted: 0, unpredictable: 0, violations: [], elapsedMs: 0,
  };
  const deadline = started + options.seconds * 1000;
  try {
    for (let index = options.from ?? 0; report.cases < (options.maxCases ?? Number.POSITIVE_INFINITY) && performance.now() < deadline; index++) {
      if (options.only !== undefined && !options.only.includes(index)) {
        if (index > Math.max(...options.only)) break;
        continue;
      }
      options.checkpoint?.(index);
      const r = new Prng(seedFor(options.seed, index));
      report.cases++;
      if (r.chance(0.2)) {
        report.mutations++;
        const outcome = mutateBuiltin(r);
        if (!outcome.accepted) report.mutationsRefused++;
        if (outcome.violation !== null) report.violations.push(`seed ${options.seed} case ${index}: mutation ${outcome.violation}`);
      } else {
        const roll = r.int(20);
        const shape = roll < 12 ? 0 : roll < 17 ? 1 : 2;
        report.shapes[shape] = (report.shapes[shape] ?? 0) + 1;
        if (process.env.SYSLET_FUZZ_DEBUG !== undefined) process.stderr.write(`case ${index} shape ${shape}\n`);
        await pluginCase(r, index, engines[shape] as Engine, ENGINE_SHAPES[shape]?.maxAtomsPerChain ?? 0, dir, options, report);
        // New engines every ENGINE_CASES plugin cases: a dropped plugin keeps its slab and segment
        // split until its engine closes (finding F8), and some hundreds of layouts fill the table.
        if (++casesOnEngines === ENGINE_CASES) {
          casesOnEngines = 0;
          for (const each of engines) await each.close();
          engines = makeEngines();
        }
      }
      if (report.violations.length >= 20) break;
    }
  } finally {
    const keepAlive = setInterval(() => undefined, 1000);
    try {
      for (const each of engines) await each.close();
    } finally {
      clearInterval(keepAlive);
    }
    rmSync(dir, { recursive: true, force: true });
    report.elapsedMs = Math.round(performance.now() - started);
  }
  return report;
}

/** A plugin under test: generated, or two generated ones composed (`parts`). */
type Tested = Generated & { readonly parts?: readonly PluginDefinition[] };

/** What the reference says one run of `gen` does. */
function expect(gen: Tested, params: Record<string, RefParam>, limit: number): RefOutcome {
  return gen.parts === undefined ? runReference(gen.definition, params, limit) : composedReference(gen.parts, params, limit);
}

/**
 * composedCase - two generated plugins composed with composePlugins: accepted when their shared
 * parameters agree and they have 16 atoms in all, else refused with a PluginDefinitionError.
 * @returns the composed plugin and what the driver needs, or null (refused, or a finding).
 */
function composedCase(r: Prng, index: number, where: string, report: PluginsReport): { plugin: Plugin; gen: Tested } | null {
  const parts = [generate(r, `fuzz.p${index}a`), generate(r, `fuzz.p${index}b`)];
  const params: Record<string, ParamKind> = {};
  let conflict = false;
  for (const part of parts) for (const [name, kind] of Object.entries(part.params)) {
    if (params[name] !== undefined && params[name] !== kind) conflict = true;
    params[name] = kind;
  }
  const atoms = parts.reduce((sum, part) => sum + part.definition.atoms.length, 0);
  const valid = !conflict && atoms <= 16;
  let plugin: Plugin;
  try {
    plugin = composePlugins(`fuzz.c${index}`, parts.map((part) => definePlugin(part.definition)));
  } catch (error) {
    if (!(error instanceof PluginDefinitionError)) report.violations.push(`${where}: composePlugins threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
    else if (valid) report.violations.push(`${where}: composePlugins refused two valid parts: ${error.message}; ${describe(parts.map((part) => part.definition))}`);
    else report.compositionsRefused++;
    return null;
  }
  if (!valid) {
    report.violations.push(`${where}: composePlugins accepted ${conflict ? 'parts whose shared parameters disagree' : `${atoms} atoms`}; ${describe(parts.map((part) => part.definition))}`);
    return null;
  }
  report.compositions++;
  return {
    plugin,
    gen: {
      definition: plugin.definition, params, pointerCells: new Map(), statAreas: new Set(),
      narrow: new Set(parts.flatMap((part) => [...part.narrow])), loops: parts.some((part) => part.loops), parts: parts.map((part) => part.definition),
    },
  };
}

async function pluginCase(r: Prng, index: number, engine: Engine, limit: number, dir: string, options: PluginsOptions, report: PluginsReport): Promise<void> {
  const where = `seed ${options.seed} case ${index}`;
  if (r.chance(0.15)) {
    const composed = composedCase(r, index, where, report);
    if (composed !== null) await runCase(r, composed.plugin, composed.gen, engine, limit, dir, where, index, options, report);
    return;
  }
  const gen = generate(r, `fuzz.p${index}`);
  let plugin: Plugin;
  try {
    // One plugin in four without bigints is defined from its JSON text (definitionFromJson), as `syslet-aio run` does.
    const text = JSON.stringify(gen.definition, (_, value: unknown) => (typeof value === 'bigint' ? Number.NaN : value));
    const viaJson = index % 4 === 1 && !text.includes('null');
    if (viaJson) report.fromJson++;
    plugin = definePlugin(viaJson ? definitionFromJson(JSON.parse(text) as unknown) : gen.definition);
  } catch (error) {
    report.violations.push(`${where}: definePlugin refused a valid definition: ${error instanceof PluginDefinitionError ? error.message : String(error)}; ${describe(gen.definition)}`);
    return;
  }
  await runCase(r, plugin, gen, engine, limit, dir, where, index, options, report);
}

/** runCase - run `plugin` many times (see the module's comment), each run compared with the reference. */
async function runCase(r: Prng, plugin: Plugin, gen: Tested, engine: Engine, limit: number, dir: string, where: string, index: number, options: PluginsOptions, report: PluginsReport): Promise<void> {
  report.plugins++;
  const slots: Slot[] = [];
  const slotCount = r.chance(0.25) ? 2 + r.int(2) : 1;
  try {
    for (let s = 0; s < slotCount; s++) slots.push(makeSlot(r, gen, dir, `${index}-${s}`, engine));
    const variants = Array.from({ length: 1 + r.int(4) }, () => makeVariant(r, gen));
    const rounds = Math.ceil((gen.loops ? 10 + r.int(30) : 20 + r.int(80)) / slotCount);
    for (let round = 0; round < rounds; round++) {
      if (r.chance(0.15)) {
        report.cacheDrops++;
        // Both twins, so that what a file's blocks look like on disk (SEEK_HOLE) stays the same.
        for (const slot of slots) for (const file of slot.files) for (const fd of [file.engine.fd, file.reference.fd]) {
          syscallWord(NR.fdatasync, fd);
          syscallWord(NR.fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED);
        }
      }
      const picked = slots.map(() => r.pick(variants));
      // The `ptr` memory unregistered (every pointer into it is -EFAULT from now on, whatever a
      // canned plan remembered of its last check) or registered again.
      for (const slot of slots) {
        if (slot.mem === null || !r.chance(0.08)) continue;
        if (slot.mem.registered) engine.unregister(slot.mem.engine, true);
        else engine.register(slot.mem.engine);
        slot.mem.registered = !slot.mem.registered;
        report.memToggles++;
      }
      // (Only with --known: findings F4-F6 came from aborted runs; F6 is open.)
      if (slots.length === 1 && r.chance(0.1) && options.known === true) {
        // Aborted as soon as it is submitted: an inline chain has ended by then, an async one stops where it is.
        if (!(await cancelledRound(plugin, gen, slots[0] as Slot, picked[0] as Variant, engine, limit, `${where} round ${round}`, options, report))) return;
        continue;
      }
      // The reference first: what it cannot predict ends the case before the engine runs it.
      const expected: { outcome: RefOutcome; params: Record<string, RefParam> }[] = [];
      try {
        slots.forEach((slot, s) => {
          const params = referenceParams(gen, slot, picked[s] as Variant);
          expected.push({ outcome: expect(gen, params, limit), params });
        });
      } catch (error) {
        if (!(error instanceof Unpredictable)) throw error;
        report.unpredictable++;
        return;
      }
      const runs = slots.map((slot, s) => within(plugin.run(engine, engineParams(gen, slot, picked[s] as Variant)), RUN_MS, () => `${where} round ${round} slot ${s}: plugin.run`));
      const settled = await Promise.allSettled(runs);
      report.runs += slots.length;
      if (slots.length > 1) report.concurrentRuns += slots.length;
      let differs = false;
      settled.forEach((result, s) => {
        const at = `${where} round ${round}${slots.length > 1 ? ` slot ${s}` : ''}`;
        if (result.status === 'rejected') {
          report.violations.push(`${at}: plugin.run rejected: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}; ${describe(gen.definition)}`);
          differs = true;
          return;
        }
        const { outcome, params } = expected[s] as { outcome: RefOutcome; params: Record<string, RefParam> };
        const found = compare(result.value, outcome, params, slots[s] as Slot, gen, report);
        if (found.length > 0) {
          if (process.env.SYSLET_FUZZ_DEBUG !== undefined) process.stderr.write(`engine ${describe(result.value.atoms.map((a) => a.result))}\nref ${describe(outcome.results)}\n`);
          differs = true;
          report.violations.push(`${at} (params ${describe(picked[s])}): ${found.slice(0, 6).join('; ')}; ${describe(gen.definition)}`);
        }
      });
      // The twins have diverged: nothing later in this case can be compared.
      if (differs) return;
    }
  } finally {
    for (const slot of slots) closeSlot(slot, engine);
  }
}

/**
 * cancelledRound - one run aborted right after its submission, compared with the reference run
 * for as many atoms as the engine ran (its atom limit: the first `atomsExecuted` atoms of the same
 * walk). False when the case must end (a finding, or the reference cannot follow).
 */
async function cancelledRound(plugin: Plugin, gen: Tested, slot: Slot, variant: Variant, engine: Engine, limit: number, at: string, options: PluginsOptions, report: PluginsReport): Promise<boolean> {
  if (process.env.SYSLET_FUZZ_DEBUG !== undefined) process.stderr.write(`${at}: aborted run\n`);
  const controller = new AbortController();
  const running = plugin.run(engine, engineParams(gen, slot, variant), { signal: controller.signal });
  controller.abort();
  report.runs++;
  report.abortedRuns++;
  let got: PluginRunResult;
  let cancelled = false;
  try {
    got = await within(running, RUN_MS, () => `${at}: an aborted plugin.run`);
  } catch (error) {
    const result = (error as { result?: PluginRunResult }).result;
    if (!(error instanceof Error) || error.name !== 'AbortError' || (error as { code?: string }).code !== 'ABORT_ERR' || result === undefined) {
      report.violations.push(`${at}: an aborted plugin.run rejected with ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}; ${describe(gen.definition)}`);
      return false;
    }
    got = result;
    cancelled = true;
    report.cancelled++;
  }
  const params = referenceParams(gen, slot, variant);
  let outcome: RefOutcome;
  try {
    outcome = expect(gen, params, cancelled ? Math.min(limit, got.atomsExecuted) : limit);
  } catch (error) {
    if (!(error instanceof Unpredictable)) throw error;
    report.unpredictable++;
    return false;
  }
  const found: string[] = [];
  if (cancelled) {
    if (got.stop !== 'cancelled') found.push(`an AbortError whose result says stop ${got.stop}`);
    // The reference stopped at the engine's count: it must not have ended there by itself.
    if (outcome.stop !== 'limit' && got.stop === 'cancelled') found.push(`cancelled after ${got.atomsExecuted} atoms, where the chain had ended (${outcome.stop})`);
    const last = got.last >= 0 ? got.atoms[got.last] : undefined;
    if (last?.result === -4 && outcome.results[got.last] !== -4n) {
      // The call it was in was interrupted (-EINTR, as documented): the twins may differ from here.
      report.interrupted++;
      return false;
    }
  }
  found.push(...compare(got, cancelled ? { ...outcome, stop: got.stop === 'cancelled' ? 'cancelled' : outcome.stop } : outcome, params, slot, gen, report));
  if (found.length === 0) return true;
  report.violations.push(`${at} (aborted${cancelled ? `, cancelled after ${got.atomsExecuted} atoms` : ', ended first'}; params ${describe(variant)}): ${found.slice(0, 6).join('; ')}; ${describe(gen.definition)}`);
  return false;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const cases = argValue('cases');
  const report = await runPlugins({
    seed: Number(argValue('seed') ?? Date.now() % 2 ** 31),
    seconds: Number(argValue('seconds') ?? 10),
    ...(cases === undefined ? {} : { maxCases: Number(cases) }),
    from: Number(argValue('from') ?? 0),
    ...(argValue('engine') === undefined ? {} : { engine: argValue('engine') as EngineKind }),
    known: process.argv.includes('--known'),
    ...(argValue('only') === undefined ? {} : { only: (argValue('only') as string).split(',').map(Number) }),
    checkpoint: writeCheckpoint,
  });
  finishRun(report);
}
