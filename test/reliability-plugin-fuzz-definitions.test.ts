// Issue #8, fuzzing plugin definitions: random templates (calls from the table, denied and unknown
// ones, random argument counts and kinds, references to results/cells/scratch/params by index and
// by id, flags, next indexes and ids, params, cells, scratch) and malformed ones (issue 15 item 12:
// null atoms, atoms without args, null scratch fields, Object.prototype member names, unknown
// keys, fields of the wrong type, flags past 32 bits). definePlugin, PluginRegistry.register and
// composePlugins either throw a PluginDefinitionError naming the plugin, the atom, the field and
// its path — never another error — or return a plugin; the valid ones whose calls are all harmless
// run on an engine narrowed to those calls (so any fd a literal names can at worst be fstat'ed or
// pread) with our own fd and engine addresses as parameters → every atom result is a number (or
// "not executed"), negative ones with an errno name; never a crash.
// Size: a fixed number of definitions (SYSLET_FUZZ_DEFINITIONS, default 3000), so what the test
// asserts never depends on the machine's speed; SYSLET_FUZZ_SECONDS runs for that long instead.
// Seed: SYSLET_FUZZ_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, PluginDefinitionError, PluginRegistry, composePlugins, definePlugin, type AtomTemplate, type PluginDefinition, type Plugin } from '../index.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { Prng, seedFor } from './fuzz/prng.js';
import { closeQuietly } from './fuzz/corpus.js';
import { within } from './helpers/within.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const count = seconds === null ? Number(process.env.SYSLET_FUZZ_DEFINITIONS ?? 3000) : Number.POSITIVE_INFINITY;
const seed = fuzzSeed(20261204);
/** Calls the valid plugins may run: no side effect outside engine memory, none blocks. */
const RUNNABLE = ['getpid', 'gettid', 'getppid', 'getuid', 'sched_yield', 'clock_gettime', 'umem_add', 'pread64', 'fstat'];
const OTHERS = ['read', 'write', 'close', 'openat', 'lseek', 'kill', 'nanosleep', 'pwrite64', 'fdatasync', 'socket', 'aio_status'];
const DENIED = ['fork', 'execve', 'mmap', 'munmap', 'exit_group', 'io_uring_setup', 'ptrace', 'setuid'];
const UNKNOWN = ['nope', '', 'getpid ', 'GETPID', '__proto__'];
const KINDS = ['int', 'uint', 'size', 'flags', 'fd', 'off64', 'ptr', 'pid', 'signo', 'mode', 'path', 'in', 'out', 'bogus', 'clock'];
const FLAG_VALUES = [0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 8 | 128, 16 | 128, 0x100, 2 ** 31, 2 ** 32, 2 ** 32 + 32, -1, 1.5, Number.NaN, '32', null];
/** Names that an object lookup would find on Object.prototype: they must be plain names or refused. */
const PROTO_NAMES = ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__', 'isPrototypeOf'];
/** Values that are no part of the grammar where an object, array or name is expected. */
const JUNK: unknown[] = [null, undefined, 0, -1, 'x', [], {}, true, [null], { call: null }];

/** No run of these harmless calls takes this long, nor an engine's close: past it, the seed is reported. */
const RUN_MS = 20_000;
const CLOSE_MS = 20_000;

/** The definition as JSON (bigints as strings), for a failure message. */
function describe(definition: unknown): string {
  return JSON.stringify(definition, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value));
}

/** A well-formed template (half the inputs): pointer args get scratch/ref, scalars literals or results. */
function cleanDefinition(r: Prng, index: number): PluginDefinition {
  const count = 1 + r.int(10);
  const useFd = r.chance(0.5);
  const atoms = Array.from({ length: count }, (_, i) => {
    const call = r.chance(0.95) ? r.pick(RUNNABLE) : r.pick([...OTHERS, ...DENIED]);
    const spec = syscallByName(call);
    const args = (spec?.args ?? []).map((arg) => {
      if (arg.kind === 'ptr') return r.chance(0.7) ? { scratch: 's' } : r.chance(0.5) ? { ref: 'c' } : 0;
      if (arg.kind === 'fd' && useFd) return { param: 'fd' };
      if (i > 0 && r.chance(0.2)) return { result: r.int(i) };
      return r.pick<number | bigint>([0, 1, -1, 8, 4096, 2 ** 40, -(2n ** 63n)]);
    });
    const atom: Record<string, unknown> = { call, args };
    if (r.chance(0.3)) atom.flags = r.pick([1, 2, 4, 8, 16, 32, 64, 8 | 128, 0]);
    if (r.chance(0.2)) atom.next = r.chance(0.2) ? null : r.int(count);
    return atom as unknown as AtomTemplate;
  });
  const usesFd = atoms.some((atom) => atom.args.some((arg) => typeof arg === 'object' && 'param' in arg));
  return { name: `fuzz.clean${index}`, params: usesFd ? { fd: 'fd' } : {}, cells: { c: r.pick([0, 1, -5]) }, scratch: { s: 4096 }, atoms };
}

function randomDefinition(r: Prng, index: number): PluginDefinition {
  if (r.chance(0.5)) return cleanDefinition(r, index);
  const params: Record<string, string> = {};
  for (let i = r.int(4); i > 0; i--) params[r.pick(['fd', 'buf', 'n', 'off', 'p', 'q', ...PROTO_NAMES.slice(0, 3)])] = r.pick(KINDS);
  const cells: Record<string, unknown> = {};
  for (let i = r.int(3); i > 0; i--) cells[r.pick(['c', 'd', 'cursor'])] = r.pick<unknown>([0, 5, -1, 2n ** 63n - 1n, Number.NaN, 1.5, { param: r.pick(['fd', 'buf', 'n', 'zz', ...PROTO_NAMES]) }, null]);
  const scratch: Record<string, unknown> = {};
  for (let i = r.int(3); i > 0; i--) {
    scratch[r.pick(['s', 't'])] = r.chance(0.6)
      ? r.pick([16, 144, 4096, 0, -1, 65537, 1.5])
      : { size: r.pick([16, 144, 8]), fields: r.chance(0.1) ? r.pick(JUNK) : [r.chance(0.1) ? null : { at: r.pick([0, 8, 140, -1]), width: r.pick([2, 4, 8, 3]), ...(r.chance(0.5) ? { param: r.pick(['n', 'fd', 'zz', ...PROTO_NAMES]) } : { value: 7 }) }] };
  }
  const count = r.chance(0.05) ? r.pick([0, 17, 20]) : 1 + r.int(8);
  const atoms: AtomTemplate[] = [];
  for (let i = 0; i < count; i++) {
    const k = r.int(100);
    const call = k < 70 ? r.pick(RUNNABLE) : k < 85 ? r.pick(OTHERS) : k < 95 ? r.pick(DENIED) : r.pick(UNKNOWN);
    const arity = syscallByName(call)?.args.length ?? r.int(6);
    const argCount = r.chance(0.9) ? arity : r.int(8);
    const args = Array.from({ length: argCount }, () => {
      const a = r.int(10);
      if (a < 3) return r.pick<unknown>([0, 1, -1, 4096, 2 ** 53, 1.5, Number.NaN, 7n, -(2n ** 63n)]);
      if (a < 5) return { param: r.pick(['fd', 'buf', 'n', 'off', 'p', 'q', 'zz']) };
      if (a === 5) return { result: r.chance(0.7) ? r.int(i + 2) - 1 : `a${r.int(count + 1)}` };
      if (a === 6) return { cell: r.pick(['c', 'd', 'cursor', 'zz', ...PROTO_NAMES]) };
      if (a === 7) return { ref: r.pick(['c', 'd', 'zz', ...PROTO_NAMES]) };
      if (a === 8) return { scratch: r.pick(['s', 't', 'zz', ...PROTO_NAMES]) };
      return r.chance(0.9) ? { resultRef: r.int(count + 1) } : r.pick<unknown>(['x', null, {}, { param: 5 }, { param: 'fd', cell: 'c' }, { parm: 'fd' }]);
    });
    const atom: Record<string, unknown> = { call, args };
    if (r.chance(0.5)) atom.id = r.chance(0.95) ? `a${i}` : r.pick<unknown>(['7', '__proto__', 5, 'a0', '']);
    if (r.chance(0.4)) atom.flags = r.pick(FLAG_VALUES);
    if (r.chance(0.3)) atom.next = r.pick<unknown>([null, r.int(count + 1), -1, 1.5, `a${r.int(count + 1)}`, {}]);
    // Malformed atoms: no args, args of the wrong type, an unknown key, the atom itself junk.
    if (r.chance(0.03)) delete atom.args;
    if (r.chance(0.03)) atom.args = r.pick(JUNK);
    if (r.chance(0.03)) atom[r.pick(['flgs', 'nxt', 'arg', 'constructor'])] = 1;
    atoms.push((r.chance(0.03) ? r.pick(JUNK) : atom) as AtomTemplate);
  }
  const name = r.chance(0.97) ? `fuzz.p${index}` : r.pick<unknown>(['', 'Bad Name', 5, 'x..y']);
  const definition: Record<string, unknown> = { name, params, cells, scratch, atoms };
  // Malformed definitions: a top-level field of the wrong type, an unknown key, junk itself.
  if (r.chance(0.03)) definition[r.pick(['params', 'cells', 'scratch', 'atoms'])] = r.pick(JUNK);
  if (r.chance(0.02)) definition[r.pick(['parms', 'atom', 'hasOwnProperty'])] = {};
  if (r.chance(0.01)) return r.pick(JUNK) as PluginDefinition;
  return definition as unknown as PluginDefinition;
}

test(`random plugin definitions: PluginDefinitionError naming plugin/atom/field, or a plugin whose runs answer numbers (seed ${seed}, ${seconds === null ? count : `${seconds} s`})`, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-plugin-fuzz-'));
  writeFileSync(join(dir, 'data'), Buffer.alloc(8192, 0x41));
  const fd = openSync(join(dir, 'data'), 'r');
  // Each plugin's instance pool is a region of the engine it ran on, kept for the engine's life
  // (4096 regions at most): a fresh engine every 1000 plugins.
  const fresh = (): { engine: Engine; region: ReturnType<Engine['alloc']> } => {
    const made = new Engine({ allow: RUNNABLE, maxAtomsPerChain: 256, threads: 2 });
    return { engine: made, region: made.alloc(65536) };
  };
  let { engine, region } = fresh();
  t.after(async () => {
    await within(closeQuietly(engine), CLOSE_MS, () => `seed ${seed}: the last engine's close`);
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  const figures = { definitions: 0, rejected: 0, accepted: 0, runs: 0, atomsRun: 0, byField: Object.create(null) as Record<string, number>, errnos: {} as Record<string, number>, stops: {} as Record<string, number> };
  const deadline = seconds === null ? Number.POSITIVE_INFINITY : performance.now() + seconds * 1000;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const r = new Prng(seedFor(seed, i));
    const definition = randomDefinition(r, i);
    figures.definitions++;
    let plugin: Plugin;
    try {
      // Every entry point checks the same way: definePlugin, a registry, composePlugins.
      const entry = r.int(10);
      plugin = entry === 0 ? new PluginRegistry().register(definition) : entry === 1 ? composePlugins(`fuzz.c${i}`, [definePlugin(definition)]) : definePlugin(definition);
    } catch (error) {
      assert.ok(error instanceof PluginDefinitionError, `seed ${seed} #${i}: a definition error must be a PluginDefinitionError, got ${String(error)}`);
      assert.equal(typeof error.plugin, 'string');
      assert.ok(Number.isInteger(error.atomIndex) && error.atomIndex >= -1 && error.atomIndex < 32, `atomIndex ${error.atomIndex}`);
      assert.ok(error.field.length > 0);
      assert.equal(typeof error.path, 'string');
      const field = error.field.replace(/\[\d+\]/, '[i]').replace(/\..*/, '.*');
      figures.byField[field] = (figures.byField[field] ?? 0) + 1;
      figures.rejected++;
      continue;
    }
    figures.accepted++;
    if (!plugin.calls.every((call) => RUNNABLE.includes(call))) continue;
    const params: Record<string, unknown> = {};
    for (const [name, kind] of Object.entries(plugin.params)) {
      params[name] =
        kind === 'fd' ? fd
          : kind === 'ptr' ? region.start + 8 * r.int(4096)
            : kind === 'path' ? join(dir, 'data')
              : kind === 'in' ? Buffer.alloc(1 + r.int(64), 0x42)
                : kind === 'out' ? 1 + r.int(256)
                  : r.pick([0, 1, 16, 4096, -1, 2 ** 40]);
    }
    const result = await within(plugin.run(engine, params as never), RUN_MS, () => `seed ${seed} #${i}: run of ${describe(definition)}`);
    figures.runs++;
    if (figures.runs % 1000 === 0) {
      await within(closeQuietly(engine), CLOSE_MS, () => `seed ${seed} #${i}: close after ${figures.runs} runs`);
      ({ engine, region } = fresh());
    }
    figures.stops[result.stop] = (figures.stops[result.stop] ?? 0) + 1;
    for (const atom of result.atoms) {
      if (!atom.executed) continue;
      figures.atomsRun++;
      assert.ok(typeof atom.result === 'number' || typeof atom.result === 'bigint', `seed ${seed} #${i}: atom ${atom.index} result ${String(atom.result)}`);
      if (typeof atom.result === 'number' && atom.result < 0 && atom.result > -4096 && atom.call !== 'umem_add') {
        assert.match(atom.errno ?? '', /^E[A-Z0-9]+$/, `seed ${seed} #${i}: atom ${atom.index} (${atom.call}) ${atom.result} without an errno name`);
        figures.errnos[atom.errno as string] = (figures.errnos[atom.errno as string] ?? 0) + 1;
      }
    }
  }
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.rejected > 0 && figures.accepted > 0 && figures.runs > 0, JSON.stringify(figures));
});
