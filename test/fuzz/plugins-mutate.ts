/**
 * The plugin fuzz's definition mutations (test/fuzz/plugins.ts): the built-in plugins' shapes with
 * one to three random changes. definePlugin must return a plugin or throw a PluginDefinitionError
 * naming the plugin, an atom index in range and a field — never another error; a mutation that
 * the grammar refuses for certain (an unknown or denied call, a wrong argument count, flags past
 * 0xff, a `next` to no atom, an unknown key, no atoms or more than 16) must be refused. A
 * definition without bigints goes through definitionFromJson too, which must agree.
 */
import { BUILTIN_PLUGINS, PluginDefinitionError, definePlugin, definitionFromJson } from '../../index.js';
import type { PluginDefinition } from '../../plugins/types.js';
import type { Prng } from './prng.js';

/** What one mutation case did. */
export interface MutationOutcome {
  readonly accepted: boolean;
  /** A finding, or null. */
  readonly violation: string | null;
  readonly description: string;
}

type Json = Record<string, unknown>;
/** Atoms whose argument count a change has made wrong. */
const countChanged = new WeakSet<object>();
const JUNK: unknown[] = [null, undefined, -1, 1.5, 'x', [], {}, true, 2 ** 32, Number.NaN];

/** mutateBuiltin - mutate a random built-in definition and check what definePlugin says. */
export function mutateBuiltin(r: Prng): MutationOutcome {
  const plugin = r.pick(BUILTIN_PLUGINS);
  const definition = structuredClone(plugin.definition) as unknown as Json;
  const changes: string[] = [];
  let mustRefuse = false;
  for (let k = 0, n = 1 + r.int(3); k < n; k++) {
    const change = mutate(r, definition);
    changes.push(change.what);
    mustRefuse ||= change.refuse;
  }
  const description = `${plugin.name}: ${changes.join('; ')}`;
  const verdict = judge(definition, plugin.name);
  if (verdict.violation !== null) return { accepted: verdict.accepted, violation: `${description}: ${verdict.violation}`, description };
  if (verdict.accepted && mustRefuse) return { accepted: true, violation: `${description}: accepted, but the grammar refuses it`, description };
  // The JSON form must get the same answer (a definition without bigints, whose JSON is itself).
  const text = JSON.stringify(definition, (_, value: unknown) => (typeof value === 'bigint' ? undefined : value));
  if (!/\d+n\b/.test(JSON.stringify(definition, (_, value: unknown) => (typeof value === 'bigint' ? `${value}n` : value))) && text !== undefined) {
    let json: unknown;
    try {
      json = definitionFromJson(JSON.parse(text) as unknown);
    } catch (error) {
      if (verdict.accepted || !(error instanceof PluginDefinitionError)) return { accepted: verdict.accepted, violation: `${description}: definitionFromJson threw ${describeError(error)} where definePlugin ${verdict.accepted ? 'accepted it' : 'refused it'}`, description };
      return { accepted: false, violation: null, description };
    }
    const again = judge(json as Json, plugin.name);
    if (again.violation !== null) return { accepted: again.accepted, violation: `${description} (from JSON): ${again.violation}`, description };
    if (again.accepted !== verdict.accepted && !hasUndefined(definition)) {
      return { accepted: verdict.accepted, violation: `${description}: definePlugin ${verdict.accepted ? 'accepted' : 'refused'} it, from JSON it was ${again.accepted ? 'accepted' : 'refused'}`, description };
    }
  }
  return { accepted: verdict.accepted, violation: null, description };
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.constructor.name}: ${error.message}` : String(error);
}

/** Whether JSON drops something of it (an `undefined` value, which JSON leaves out). */
function hasUndefined(value: unknown): boolean {
  if (value === undefined) return true;
  if (typeof value !== 'object' || value === null) return false;
  return Object.values(value).some(hasUndefined);
}

function judge(definition: Json, name: string): { accepted: boolean; violation: string | null } {
  try {
    definePlugin(definition as unknown as PluginDefinition);
    return { accepted: true, violation: null };
  } catch (error) {
    if (!(error instanceof PluginDefinitionError)) return { accepted: false, violation: `threw ${describeError(error)}, not a PluginDefinitionError` };
    const atoms = Array.isArray(definition.atoms) ? definition.atoms.length : 0;
    const named = typeof definition.name === 'string' ? definition.name : undefined;
    if (named !== undefined && named === name && error.plugin !== name) return { accepted: false, violation: `the error names plugin '${error.plugin}'` };
    if (typeof error.field !== 'string' || error.field === '' || typeof error.path !== 'string') return { accepted: false, violation: `the error has no field or path (${error.message})` };
    if (!Number.isInteger(error.atomIndex) || error.atomIndex < -1 || (error.atomIndex >= Math.max(atoms, 1) && atoms > 0)) return { accepted: false, violation: `atomIndex ${error.atomIndex} of ${atoms} atoms (${error.message})` };
    return { accepted: false, violation: null };
  }
}

/** One random change; `refuse` when the grammar refuses the result whatever else it holds. */
function mutate(r: Prng, definition: Json): { what: string; refuse: boolean } {
  const atoms = Array.isArray(definition.atoms) ? (definition.atoms as unknown[]) : [];
  const i = atoms.length > 0 ? r.int(atoms.length) : 0;
  const atom = atoms[i] as Json | undefined;
  const isAtom = typeof atom === 'object' && atom !== null && !Array.isArray(atom);
  switch (r.int(16)) {
    case 0:
      if (!isAtom) break;
      atom.call = r.pick(['nope', 'fork', 'execve', 'mmap', 'GETPID', '']);
      return { what: `atoms[${i}].call = ${String(atom.call)}`, refuse: true };
    case 1:
      // Once per atom: a second change could restore the count.
      if (!isAtom || !Array.isArray(atom.args) || countChanged.has(atom)) break;
      countChanged.add(atom);
      if (r.chance(0.5)) (atom.args as unknown[]).push(0);
      else if ((atom.args as unknown[]).length > 0) (atom.args as unknown[]).pop();
      else (atom.args as unknown[]).push(0);
      return { what: `atoms[${i}].args length ${(atom.args as unknown[]).length}`, refuse: true };
    case 2:
      if (!isAtom) break;
      atom.flags = r.pick([0x100, 2 ** 32, 2 ** 32 + 0x20, -1, 0x1ff]);
      return { what: `atoms[${i}].flags = ${String(atom.flags)}`, refuse: true };
    case 3:
      if (!isAtom) break;
      atom.next = r.pick([atoms.length, atoms.length + 5, -1, 'no-such-id', 1.5]);
      return { what: `atoms[${i}].next = ${String(atom.next)}`, refuse: true };
    case 4:
      if (!isAtom) break;
      atom[r.pick(['flgs', 'nxt', 'arg', 'parm'])] = 0;
      return { what: `atoms[${i}] has an unknown key`, refuse: true };
    case 5:
      definition.atoms = r.chance(0.5) ? [] : Array.from({ length: 17 }, (_, k) => atoms[k % Math.max(atoms.length, 1)] ?? { call: 'getpid', args: [] });
      return { what: `atoms: ${(definition.atoms as unknown[]).length}`, refuse: true };
    case 6:
      if (atoms.length === 0) break;
      atoms[i] = r.pick(JUNK);
      return { what: `atoms[${i}] = ${String(atoms[i])}`, refuse: true };
    case 7: {
      if (!isAtom || !Array.isArray(atom.args) || (atom.args as unknown[]).length === 0) break;
      const j = r.int((atom.args as unknown[]).length);
      (atom.args as unknown[])[j] = r.pick([...JUNK, { param: 'nope' }, { cell: 'nope' }, { scratch: 'nope' }, { result: atoms.length + 1 }, { result: i }, { ref: 'nope' }, { lengthOf: 'nope' }, { resultRef: i }, 12345, { param: 'x', cell: 'y' }]);
      return { what: `atoms[${i}].args[${j}] = ${JSON.stringify((atom.args as unknown[])[j]) ?? 'undefined'}`, refuse: false };
    }
    case 8: {
      // Two atoms swapped: the "runs before on every path" rule decides.
      if (atoms.length < 2) break;
      const j = r.int(atoms.length);
      [atoms[i], atoms[j]] = [atoms[j], atoms[i]];
      return { what: `atoms ${i} and ${j} swapped`, refuse: false };
    }
    case 9: {
      const params = definition.params as Json | undefined;
      if (params === undefined || params === null) break;
      const names = Object.keys(params);
      if (names.length === 0 || r.chance(0.3)) {
        params.unused = 'int';
        return { what: 'an unused parameter', refuse: true };
      }
      const name = r.pick(names);
      params[name] = r.pick(['int', 'fd', 'ptr', 'path', 'in', 'out', 'bogus', 'size', 'off64']);
      // (Not certain to be refused: a later change may set it again.)
      return { what: `params.${name} = ${String(params[name])}`, refuse: false };
    }
    case 10: {
      const cells = (definition.cells ??= {}) as Json;
      cells[r.pick(['n', '__proto__', '1x', 'a b', 'constructor'])] = r.pick([0, { param: 'nope' }, 2n ** 70n, 'x', null]);
      return { what: 'a cell added', refuse: false };
    }
    case 11: {
      const scratch = (definition.scratch ??= {}) as Json;
      scratch.z = r.pick([0, 65537, -1, { size: 8, fields: [{ at: 6, width: 4, value: 1 }] }, { size: 8, fields: [{ at: 0, width: 3, value: 1 }] }, { size: 8, fields: [{ at: 0, width: 4 }] }, { size: 8, fields: [null] }]);
      return { what: `scratch.z = ${JSON.stringify(scratch.z)}`, refuse: true };
    }
    case 12:
      if (!isAtom || atoms.length < 2) break;
      atom.id = r.pick(['12', '__proto__', (atoms[(i + 1) % atoms.length] as Json | null)?.id ?? 'dup', 'a.b', 'ok_id']);
      return { what: `atoms[${i}].id = ${String(atom.id)}`, refuse: false };
    case 13:
      definition.name = r.pick(['', 'no spaces allowed', '.x', 'a..b', 42]);
      return { what: `name = ${String(definition.name)}`, refuse: true };
    case 14:
      if (!isAtom) break;
      delete atom[r.pick(['args', 'call'])];
      return { what: `atoms[${i}] lost a required field`, refuse: true };
    default:
      // (Flags an earlier change made invalid stay invalid.)
      if (!isAtom || (atom.flags !== undefined && (typeof atom.flags !== 'number' || !Number.isInteger(atom.flags) || atom.flags < 0 || atom.flags > 0xff))) break;
      atom.flags = 0x80 | 0x20;
      if (i === atoms.length - 1) return { what: `atoms[${i}] (the last) SKIP_TO_NEXT_ON_STOP`, refuse: true };
      return { what: `atoms[${i}].flags = STOP_ON_NEGATIVE|SKIP`, refuse: false };
  }
  return { what: 'no change', refuse: false };
}
