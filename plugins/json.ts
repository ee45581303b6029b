/**
 * Plugin definitions written as JSON (`syslet-aio run plugin.json`). JSON has no constants, so
 * flags may be written by name — `"STOP_ON_NEGATIVE|SKIP_TO_NEXT_ON_STOP"` or
 * `["STOP_ON_NEGATIVE", "SKIP_TO_NEXT_ON_STOP"]` — as well as a number, and so may an atom's
 * literal arguments: `"AT_FDCWD"`, `"O_RDONLY|O_CLOEXEC"`, any kernel constant the package root
 * exports (read from the system headers). Everything else is the {@link PluginDefinition} shape,
 * checked key by key as definePlugin checks it; the JSON Schema in schema/plugin.schema.json (see
 * schema.ts) states the same rules for editors.
 */
import * as atom from '../engine/atom.js';
import * as KERNEL_CONSTANTS from '../engine/syscalls/constants.generated.js';
import { PluginDefinitionError } from './errors.js';
import { ownedDefinition } from './shape.js';
import type { PluginDefinition } from './types.js';
import { invalidArgType } from '../engine/arguments.js';

/** Flag names accepted in JSON, with or without the `SYSLET_` prefix. */
export const FLAG_NAMES: Readonly<Record<string, number>> = {
  ASYNC: atom.SYSLET_ASYNC,
  SYNC: atom.SYSLET_SYNC,
  NO_COMPLETE: atom.SYSLET_NO_COMPLETE,
  STOP_ON_NONZERO: atom.SYSLET_STOP_ON_NONZERO,
  STOP_ON_ZERO: atom.SYSLET_STOP_ON_ZERO,
  STOP_ON_NEGATIVE: atom.SYSLET_STOP_ON_NEGATIVE,
  STOP_ON_NON_POSITIVE: atom.SYSLET_STOP_ON_NON_POSITIVE,
  SKIP_TO_NEXT_ON_STOP: atom.SYSLET_SKIP_TO_NEXT_ON_STOP,
};

/**
 * The kernel constants a JSON argument may name (O_*, AT_*, AF_*, SOCK_*, MSG_*, S_I*, SEEK_*...):
 * the generated table the package root exports, so a name means here what it means in code.
 */
export const CONSTANT_NAMES: readonly string[] = Object.keys(KERNEL_CONSTANTS).filter((key) => typeof (KERNEL_CONSTANTS as Record<string, unknown>)[key] === 'number').sort();

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * flagsValue - the number for a JSON flags value.
 * @returns the flags, or undefined when a name is unknown or the value has the wrong type.
 */
export function flagsValue(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  const names = typeof value === 'string' ? value.split('|') : Array.isArray(value) ? value : undefined;
  if (names === undefined) return undefined;
  let flags = 0;
  for (const raw of names) {
    if (typeof raw !== 'string') return undefined;
    const name = raw.trim().replace(/^SYSLET_/, '');
    // Own names only: 'toString' or '__proto__' found Object.prototype's members, and a function
    // OR-ed in is 0 — the flag was dropped without a word (hunt26).
    if (!Object.hasOwn(FLAG_NAMES, name)) return undefined;
    const flag = FLAG_NAMES[name] as number;
    flags |= flag;
  }
  return flags;
}

/**
 * constantValue - the number for a JSON argument written as constant names joined with `|`
 * (`"AT_FDCWD"`, `"O_RDONLY|O_CLOEXEC"`): the names' values OR-ed as 64-bit words.
 * @returns the value, or undefined when a name is not a kernel constant.
 * @throws TypeError ERR_INVALID_ARG_TYPE when `text` is not a string.
 */
export function constantValue(text: string): number | undefined {
  if (typeof text !== 'string') throw invalidArgType('text', 'of type string', text);
  let word = 0n;
  for (const raw of text.split('|')) {
    const name = raw.trim();
    if (!Object.hasOwn(KERNEL_CONSTANTS, name)) return undefined;
    const value = (KERNEL_CONSTANTS as Record<string, unknown>)[name];
    if (typeof value !== 'number') return undefined;
    word |= BigInt(value);
  }
  return Number(BigInt.asIntN(64, word));
}

/** An atom with its named flags and named constant arguments turned into numbers. */
function resolvedAtom(name: string, raw: unknown, index: number): unknown {
  if (!isRecord(raw)) return raw;
  let resolved = raw;
  if (Object.hasOwn(raw, 'flags') && typeof raw.flags !== 'number') {
    const flags = flagsValue(raw.flags);
    if (flags === undefined) throw new PluginDefinitionError(name, index, 'flags', `unknown flags ${JSON.stringify(raw.flags)}; names are ${Object.keys(FLAG_NAMES).join(', ')} (SYSLET_ prefix optional), joined with | or in an array`);
    resolved = { ...resolved, flags };
  }
  const args = Object.hasOwn(raw, 'args') ? raw.args : undefined;
  if (Array.isArray(args) && args.some((arg) => typeof arg === 'string')) {
    resolved = {
      ...resolved,
      args: args.map((arg: unknown, argIndex) => {
        if (typeof arg !== 'string') return arg;
        const value = constantValue(arg);
        if (value === undefined) {
          throw new PluginDefinitionError(name, index, `args[${argIndex}]`, `unknown constant ${JSON.stringify(arg)}: a string argument is kernel constant names (O_*, AT_*, AF_*, SOCK_*, MSG_*, S_I*...) joined with |`);
        }
        return value;
      }),
    };
  }
  return resolved;
}

/**
 * definitionFromJson - turn a parsed JSON document into a checked, frozen plugin definition:
 * flag names and constant-name arguments resolved, `"params"` defaulting to `{}`, a top-level
 * `"$schema"` (for editors, see schema/plugin.schema.json) ignored, and every other key checked
 * as definePlugin checks it — an unknown key such as `"flgs"` is refused with its path rather
 * than silently dropped.
 *
 * @param value - the parsed document.
 * @returns the definition (shape-checked; definePlugin checks it against the syscall table).
 * @throws PluginDefinitionError naming the field and its `path` (`atoms[1].flgs`): not an
 *   object, an unknown key, a field of the wrong type, an unknown flag or constant name.
 * @example
 * ```ts
 * const plugin = definePlugin(definitionFromJson(JSON.parse(readFileSync('pid.json', 'utf8'))));
 * ```
 */
export function definitionFromJson(value: unknown): PluginDefinition {
  if (!isRecord(value)) return ownedDefinition(value);
  const name = typeof value.name === 'string' ? value.name : '?';
  const { $schema: schema, ...rest } = value;
  if (schema !== undefined && typeof schema !== 'string') throw new PluginDefinitionError(name, -1, '$schema', 'must be a string (the path or URL of plugin.schema.json)');
  const document: Record<string, unknown> = { ...rest, params: Object.hasOwn(rest, 'params') ? rest.params : {} };
  if (Array.isArray(rest.atoms)) document.atoms = rest.atoms.map((raw: unknown, index): unknown => resolvedAtom(name, raw, index));
  return ownedDefinition(document);
}
