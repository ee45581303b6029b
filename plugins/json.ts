/**
 * Plugin definitions written as JSON (`syslet-aio run plugin.json`). JSON has no constants, so
 * flags may be written by name — `"STOP_ON_NEGATIVE|SKIP_TO_NEXT_ON_STOP"` or
 * `["STOP_ON_NEGATIVE", "SKIP_TO_NEXT_ON_STOP"]` — as well as a number. Everything else is the
 * {@link PluginDefinition} shape, checked key by key as definePlugin checks it; the JSON Schema
 * in schema/plugin.schema.json (see schema.ts) states the same rules for editors.
 */
import * as atom from '../engine/atom.js';
import { PluginDefinitionError } from './errors.js';
import { ownedDefinition } from './shape.js';
import type { PluginDefinition } from './types.js';

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
 * definitionFromJson - turn a parsed JSON document into a checked, frozen plugin definition:
 * flag names resolved, `"params"` defaulting to `{}`, a top-level `"$schema"` (for editors, see
 * schema/plugin.schema.json) ignored, and every other key checked as definePlugin checks it —
 * an unknown key such as `"flgs"` is refused with its path rather than silently dropped.
 *
 * @param value - the parsed document.
 * @returns the definition (shape-checked; definePlugin checks it against the syscall table).
 * @throws PluginDefinitionError naming the field and its `path` (`atoms[1].flgs`): not an
 *   object, an unknown key, a field of the wrong type, an unknown flag name.
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
  if (Array.isArray(rest.atoms)) {
    document.atoms = rest.atoms.map((raw: unknown, index): unknown => {
      if (!isRecord(raw) || !Object.hasOwn(raw, 'flags') || typeof raw.flags === 'number') return raw;
      const flags = flagsValue(raw.flags);
      if (flags === undefined) throw new PluginDefinitionError(name, index, 'flags', `unknown flags ${JSON.stringify(raw.flags)}; names are ${Object.keys(FLAG_NAMES).join(', ')} (SYSLET_ prefix optional), joined with | or in an array`);
      return { ...raw, flags };
    });
  }
  return ownedDefinition(document);
}
