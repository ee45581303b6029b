/**
 * Plugin definitions written as JSON (`syslet-aio run plugin.json`). JSON has no constants, so
 * flags may be written by name — `"STOP_ON_NEGATIVE|SKIP_TO_NEXT_ON_STOP"` or
 * `["STOP_ON_NEGATIVE", "SKIP_TO_NEXT_ON_STOP"]` — as well as a number. Everything else is the
 * {@link PluginDefinition} shape as it stands; definePlugin then validates it as usual.
 */
import * as atom from '../engine/atom.js';
import { PluginDefinitionError } from './errors.js';
import type { AtomTemplate, PluginDefinition } from './types.js';

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
    const flag = FLAG_NAMES[raw.trim().replace(/^SYSLET_/, '')];
    if (flag === undefined) return undefined;
    flags |= flag;
  }
  return flags;
}

/**
 * definitionFromJson - turn parsed JSON into a plugin definition (flag names resolved).
 *
 * @param value - the parsed document.
 * @returns the definition, not yet validated: pass it to definePlugin.
 * @throws PluginDefinitionError naming the field when the document is not definition-shaped
 *   (not an object, `atoms` not an array, an unknown flag name).
 * @example
 * ```ts
 * const plugin = definePlugin(definitionFromJson(JSON.parse(readFileSync('pid.json', 'utf8'))));
 * ```
 */
export function definitionFromJson(value: unknown): PluginDefinition {
  const name = isRecord(value) && typeof value.name === 'string' ? value.name : '?';
  const fail = (atomIndex: number, field: string, message: string): never => {
    throw new PluginDefinitionError(name, atomIndex, field, message);
  };
  if (!isRecord(value)) return fail(-1, 'name', 'a plugin definition must be a JSON object');
  if (typeof value.name !== 'string') fail(-1, 'name', 'must be a string');
  if (value.params !== undefined && !isRecord(value.params)) fail(-1, 'params', 'must be an object of name → kind');
  if (!Array.isArray(value.atoms)) return fail(-1, 'atoms', 'must be an array of atoms');
  const atoms = value.atoms.map((raw: unknown, index): AtomTemplate => {
    if (!isRecord(raw)) return fail(index, 'call', 'an atom must be an object');
    if (typeof raw.call !== 'string') fail(index, 'call', 'must be a syscall name');
    if (!Array.isArray(raw.args)) fail(index, 'args', 'must be an array');
    const flags = raw.flags === undefined ? undefined : flagsValue(raw.flags);
    if (raw.flags !== undefined && flags === undefined) fail(index, 'flags', `unknown flags ${JSON.stringify(raw.flags)}; names are ${Object.keys(FLAG_NAMES).join(', ')}`);
    return { ...(raw as unknown as AtomTemplate), ...(flags === undefined ? {} : { flags }) };
  });
  return { ...(value as unknown as PluginDefinition), params: (value.params ?? {}) as PluginDefinition['params'], atoms };
}
