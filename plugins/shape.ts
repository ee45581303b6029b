/**
 * The first step of definePlugin: check that a definition has the right shape, and make the
 * plugin's own copy of it. Whatever the caller passes — a literal, parsed JSON, an object it
 * keeps changing afterwards, `null` where an atom should be — comes out either as a deep-copied,
 * frozen definition whose every field has the right type, or as a PluginDefinitionError naming
 * the field (`atoms[1].flgs: unknown key`). Only own properties are read, so names such as
 * `constructor` or `toString` are plain names, never Object.prototype's members.
 *
 * What needs the whole definition (a syscall's argument count, whether a parameter exists,
 * control flow) is checked afterwards, in define.ts.
 */
import { SYSLET_VALID_FLAGS } from '../engine/atom.js';
import { PluginDefinitionError } from './errors.js';
import { MAX_PLUGIN_ATOMS, PARAM_KINDS, type ParamKind, type PluginDefinition } from './types.js';

/** A plugin name: dotted identifiers, `file.readAll`. */
export const NAME_PATTERN = /^[a-z][\w-]*(\.[a-zA-Z][\w-]*)*$/;
/**
 * A parameter, cell, scratch area or atom id name: word characters, optionally dotted or
 * colon-separated (composePlugins prefixes a part's locals with `0:`). Not `__proto__`, which
 * an object literal would take as its prototype; an id is not all digits (that reads as an index).
 */
export const LOCAL_NAME_PATTERN = /^[\w$]+([.:][\w$]+)*$/;

/** Whether `name` may name a parameter, cell, scratch area or (not all digits) an atom. */
export function isLocalName(name: string, id = false): boolean {
  return LOCAL_NAME_PATTERN.test(name) && name !== '__proto__' && !(id && /^\d+$/.test(name));
}
/** The largest scratch area, in bytes. */
export const MAX_SCRATCH_BYTES = 65536;
/** Arguments one atom may have. */
const MAX_ARGUMENTS = 6;

/** byIndex - `each` of every index of `array`, a hole as undefined (Array.prototype.map skips holes). */
function byIndex<T>(array: readonly unknown[], each: (value: unknown, index: number) => T): T[] {
  return Array.from({ length: array.length }, (_, index) => each(array[index], index));
}

const TOP_KEYS = ['name', 'description', 'params', 'cells', 'scratch', 'atoms'] as const;
const ATOM_KEYS = ['id', 'description', 'call', 'args', 'flags', 'next'] as const;
const SCRATCH_KEYS = ['size', 'fields'] as const;
const FIELD_KEYS = ['at', 'width', 'byteOrder', 'param', 'lengthOf', 'value'] as const;
/** The argument forms: an object argument has exactly one of these keys. */
export const ARG_FORMS = ['param', 'lengthOf', 'result', 'cell', 'ref', 'scratch', 'resultRef'] as const;
const NAME_FORMS = new Set(['param', 'lengthOf', 'cell', 'ref', 'scratch']);

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const own = (record: Json, key: string): unknown => (Object.hasOwn(record, key) ? record[key] : undefined);
const MIN_WORD = -(2n ** 63n);
const WORD_LIMIT = 2n ** 64n;

/** A JSON-path step: `.name`, or `["odd key"]` when the key is not an identifier. */
function step(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`;
}

/** Levenshtein distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] as number) + 1, (current[j - 1] as number) + 1, (previous[j - 1] as number) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] as number;
}

/** The message for a key the shape does not know, with the closest known one. */
function unknownKey(key: string, known: readonly string[]): string {
  const scored = known.map((candidate) => [distance(key.toLowerCase(), candidate.toLowerCase()), candidate] as const).filter(([score]) => score <= 2);
  const close = scored.sort((a, b) => a[0] - b[0])[0]?.[1];
  return `unknown key '${key}'${close === undefined ? '' : ` (did you mean '${close}'?)`}; allowed: ${known.join(', ')}`;
}

/** Whether `value` is a literal that fits a 64-bit word exactly. */
export function isWordLiteral(value: unknown): value is number | bigint {
  if (typeof value === 'number') return Number.isSafeInteger(value);
  return typeof value === 'bigint' && value >= MIN_WORD && value < WORD_LIMIT;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return `'${value}'`;
  return typeof value;
}

/**
 * ownedDefinition - check a definition's shape and return a deep-copied, frozen copy of it.
 *
 * @param input - anything: a literal, parsed JSON (flag names already resolved), a caller's object.
 * @returns the plugin's own definition; later changes to `input` do not reach it.
 * @throws PluginDefinitionError naming the field and its path: not an object, an unknown key, a
 *   field of the wrong type, an unknown parameter kind, a bad name or id, flags outside 0..0xff,
 *   no atoms or more than {@link MAX_PLUGIN_ATOMS}, a scratch area or field out of range.
 */
export function ownedDefinition(input: unknown): PluginDefinition {
  const plugin = isRecord(input) && typeof own(input, 'name') === 'string' ? (own(input, 'name') as string) : '?';
  const fail = (atomIndex: number, field: string, message: string, path?: string): never => {
    throw new PluginDefinitionError(plugin, atomIndex, field, message, path);
  };
  if (!isRecord(input)) return fail(-1, 'definition', `must be an object, got ${describe(input)}`, '');
  for (const key of Object.keys(input)) if (!(TOP_KEYS as readonly string[]).includes(key)) fail(-1, key, unknownKey(key, TOP_KEYS), step(key).replace(/^\./, ''));

  const name = own(input, 'name');
  if (typeof name !== 'string' || !NAME_PATTERN.test(name)) fail(-1, 'name', `must be dotted identifiers, like "file.readAll"${typeof name === 'string' ? '' : `, got ${describe(name)}`}`);
  const description = own(input, 'description');
  if (description !== undefined && typeof description !== 'string') fail(-1, 'description', `must be a string, got ${describe(description)}`);

  const rawParams = own(input, 'params');
  if (!isRecord(rawParams)) return fail(-1, 'params', `must be an object of parameter kinds (use {} for none), got ${describe(rawParams)}`);
  const params: Record<string, ParamKind> = {};
  for (const [param, kind] of Object.entries(rawParams)) {
    if (!isLocalName(param)) fail(-1, `params.${param}`, 'a parameter name is word characters (not __proto__)', `params${step(param)}`);
    if (!(PARAM_KINDS as readonly unknown[]).includes(kind)) fail(-1, `params.${param}`, `unknown kind ${describe(kind)}; kinds are ${PARAM_KINDS.join(', ')}`, `params${step(param)}`);
    params[param] = kind as ParamKind;
  }

  const rawCells = own(input, 'cells');
  let cells: Record<string, unknown> | undefined;
  if (rawCells !== undefined) {
    if (!isRecord(rawCells)) return fail(-1, 'cells', `must be an object of initial values, got ${describe(rawCells)}`);
    cells = {};
    for (const [cell, init] of Object.entries(rawCells)) {
      const field = `cells.${cell}`;
      if (!isLocalName(cell)) fail(-1, field, 'a cell name is word characters (not __proto__)', `cells${step(cell)}`);
      if (isWordLiteral(init)) cells[cell] = init;
      else if (isRecord(init) && Object.keys(init).length === 1 && typeof own(init, 'param') === 'string') cells[cell] = Object.freeze({ param: own(init, 'param') as string });
      else if (isRecord(init)) {
        const extra = Object.keys(init).find((key) => key !== 'param');
        fail(-1, field, extra === undefined ? 'param must be a parameter name' : unknownKey(extra, ['param']), `cells${step(cell)}${extra === undefined ? '.param' : step(extra)}`);
      } else fail(-1, field, `must be a safe integer, a bigint or {param}, got ${describe(init)}`, `cells${step(cell)}`);
    }
  }

  const rawScratch = own(input, 'scratch');
  let scratch: Record<string, unknown> | undefined;
  if (rawScratch !== undefined) {
    if (!isRecord(rawScratch)) return fail(-1, 'scratch', `must be an object of areas, got ${describe(rawScratch)}`);
    scratch = {};
    for (const [area, template] of Object.entries(rawScratch)) scratch[area] = scratchArea(area, template);
  }

  const rawAtoms = own(input, 'atoms');
  if (!Array.isArray(rawAtoms)) return fail(-1, 'atoms', `must be an array of atoms, got ${describe(rawAtoms)}`);
  if (rawAtoms.length === 0) fail(-1, 'atoms', 'a plugin needs at least one atom');
  if (rawAtoms.length > MAX_PLUGIN_ATOMS) fail(-1, 'atoms', `${rawAtoms.length} atoms; at most ${MAX_PLUGIN_ATOMS}`);
  // By index, holes included: map() skips a hole (`[, atom]`), which then reached the validation
  // as a raw TypeError, or in args compiled as a NULL argument (hunt26).
  const atoms = byIndex(rawAtoms, (raw, index) => atom(raw, index));

  return Object.freeze({
    name: name as string,
    ...(description === undefined ? {} : { description: description as string }),
    params: Object.freeze(params),
    ...(cells === undefined ? {} : { cells: Object.freeze(cells) }),
    ...(scratch === undefined ? {} : { scratch: Object.freeze(scratch) }),
    atoms: Object.freeze(atoms),
  }) as PluginDefinition;

  function scratchArea(area: string, template: unknown): unknown {
    const field = `scratch.${area}`;
    const path = `scratch${step(area)}`;
    if (!isLocalName(area)) fail(-1, field, 'a scratch area name is word characters (not __proto__)', path);
    if (typeof template === 'number') {
      if (!Number.isInteger(template) || template <= 0 || template > MAX_SCRATCH_BYTES) fail(-1, field, `size must be 1..${MAX_SCRATCH_BYTES}, got ${template}`, path);
      return template;
    }
    if (!isRecord(template)) return fail(-1, field, `must be a size or {size, fields}, got ${describe(template)}`, path);
    for (const key of Object.keys(template)) if (!(SCRATCH_KEYS as readonly string[]).includes(key)) fail(-1, field, unknownKey(key, SCRATCH_KEYS), `${path}${step(key)}`);
    const size = own(template, 'size');
    if (typeof size !== 'number' || !Number.isInteger(size) || size <= 0 || size > MAX_SCRATCH_BYTES) fail(-1, field, `size must be 1..${MAX_SCRATCH_BYTES}, got ${describe(size)}`, `${path}.size`);
    const rawFields = own(template, 'fields');
    if (rawFields === undefined) return Object.freeze({ size });
    if (!Array.isArray(rawFields)) return fail(-1, field, `fields must be an array, got ${describe(rawFields)}`, `${path}.fields`);
    const fields = byIndex(rawFields, (raw, i) => {
      const at = `${path}.fields[${i}]`;
      if (!isRecord(raw)) return fail(-1, field, `fields[${i}] must be an object, got ${describe(raw)}`, at);
      for (const key of Object.keys(raw)) if (!(FIELD_KEYS as readonly string[]).includes(key)) fail(-1, field, `fields[${i}]: ${unknownKey(key, FIELD_KEYS)}`, `${at}${step(key)}`);
      const offset = own(raw, 'at');
      const width = own(raw, 'width');
      if (width !== 2 && width !== 4 && width !== 8) fail(-1, field, `field at ${describe(offset)}: width must be 2, 4 or 8, got ${describe(width)}`, `${at}.width`);
      if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0 || offset + (width as number) > (size as number)) {
        fail(-1, field, `field at ${describe(offset)} (width ${width as number}) outside ${size as number} bytes`, `${at}.at`);
      }
      const byteOrder = own(raw, 'byteOrder');
      if (byteOrder !== undefined && byteOrder !== 'little' && byteOrder !== 'big') fail(-1, field, `fields[${i}].byteOrder must be 'little' or 'big', got ${describe(byteOrder)}`, `${at}.byteOrder`);
      const sources = ['param', 'lengthOf', 'value'].filter((key) => own(raw, key) !== undefined);
      if (sources.length !== 1) fail(-1, field, `fields[${i}] needs exactly one of param, lengthOf or value${sources.length > 1 ? `, got ${sources.join(' and ')}` : ''}`, at);
      const source = sources[0] as string;
      const value = own(raw, source);
      if (source === 'value' ? !isWordLiteral(value) : typeof value !== 'string') {
        fail(-1, field, `fields[${i}].${source} must be ${source === 'value' ? 'a safe integer or a bigint' : 'a parameter name'}, got ${describe(value)}`, `${at}.${source}`);
      }
      return Object.freeze({ at: offset, width, ...(byteOrder === undefined ? {} : { byteOrder }), [source]: value });
    });
    return Object.freeze({ size, fields: Object.freeze(fields) });
  }

  function atom(raw: unknown, index: number): unknown {
    const afail = (field: string, message: string): never => fail(index, field, message);
    if (!isRecord(raw)) return afail('atom', `an atom must be an object {call, args}, got ${describe(raw)}`);
    for (const key of Object.keys(raw)) if (!(ATOM_KEYS as readonly string[]).includes(key)) fail(index, key, unknownKey(key, ATOM_KEYS), `atoms[${index}]${step(key)}`);
    const id = own(raw, 'id');
    if (id !== undefined && (typeof id !== 'string' || !isLocalName(id, true))) afail('id', `must be a name, like "open" (word characters, not all digits), got ${describe(id)}`);
    const note = own(raw, 'description');
    if (note !== undefined && typeof note !== 'string') afail('description', `must be a string, got ${describe(note)}`);
    const call = own(raw, 'call');
    if (typeof call !== 'string') afail('call', `must be a syscall name, got ${describe(call)}`);
    const rawArgs = own(raw, 'args');
    if (rawArgs === undefined) afail('args', 'missing: the call\'s arguments, [] for none');
    if (!Array.isArray(rawArgs)) return afail('args', `must be an array, got ${describe(rawArgs)}`);
    if (rawArgs.length > MAX_ARGUMENTS) afail('args', `${rawArgs.length} arguments; a syscall takes at most ${MAX_ARGUMENTS}`);
    const args = byIndex(rawArgs, (arg, argIndex) => argument(arg, index, argIndex));
    const flags = own(raw, 'flags');
    // Checked as a whole 64-bit value: 2^32 must not pass as 0 through a 32-bit operator.
    if (flags !== undefined && !(typeof flags === 'number' && Number.isSafeInteger(flags) && flags >= 0 && flags <= SYSLET_VALID_FLAGS)) {
      afail('flags', `invalid flags ${describe(flags)}: SYSLET_* bits, 0..0x${SYSLET_VALID_FLAGS.toString(16)}`);
    }
    const next = own(raw, 'next');
    if (next !== undefined && next !== null && !(typeof next === 'number' && Number.isInteger(next)) && typeof next !== 'string') {
      afail('next', `must be an atom index, an atom id or null, got ${describe(next)}`);
    }
    return Object.freeze({
      ...(id === undefined ? {} : { id }),
      ...(note === undefined ? {} : { description: note }),
      call,
      args: Object.freeze(args),
      ...(flags === undefined ? {} : { flags }),
      ...(next === undefined ? {} : { next }),
    });
  }

  function argument(arg: unknown, index: number, argIndex: number): unknown {
    const field = `args[${argIndex}]`;
    if (typeof arg === 'number' || typeof arg === 'bigint') {
      if (!isWordLiteral(arg)) fail(index, field, `literal ${describe(arg)} is not a safe integer or a 64-bit bigint`);
      return arg;
    }
    const forms = `a literal, ${ARG_FORMS.map((form) => `{${form}}`).join(', ')}`;
    if (!isRecord(arg)) return fail(index, field, `must be ${forms}, got ${describe(arg)}`);
    const keys = Object.keys(arg);
    const form = keys[0];
    if (keys.length !== 1 || form === undefined || !(ARG_FORMS as readonly string[]).includes(form)) {
      const stray = keys.find((key) => !(ARG_FORMS as readonly string[]).includes(key));
      return fail(index, stray === undefined ? field : `${field}${step(stray)}`, stray === undefined ? `must be exactly one of ${forms}` : unknownKey(stray, ARG_FORMS));
    }
    const value = arg[form];
    if (NAME_FORMS.has(form) ? typeof value !== 'string' : !(typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)))) {
      fail(index, `${field}.${form}`, `must be ${NAME_FORMS.has(form) ? 'a name' : 'an atom index or id'}, got ${describe(value)}`);
    }
    return Object.freeze({ [form]: value });
  }
}
