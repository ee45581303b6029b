/**
 * The JSON Schema of plugin definitions (draft 2020-12), built from the same constants the
 * loader checks with — the syscall table's names and argument counts, the parameter kinds, the
 * flag names, the name patterns and limits — so the two cannot drift apart. The package ships it
 * as schema/plugin.schema.json (`npm run gen:schema` writes it; a test checks the file is what
 * this builds), for editors: `"$schema": "./node_modules/syslet-aio/schema/plugin.schema.json"`.
 *
 * What a schema cannot say is left to definePlugin: that a `{ param }` names a declared
 * parameter, that a parameter is used, that argument kinds fit the call, that a `{ result }`
 * names an atom that runs before on every path.
 */
import { SYSLET_VALID_FLAGS } from '../engine/atom.js';
import { ATOM_CALLS, syscallByName } from '../engine/syscalls/table.js';
import { CONSTANT_NAMES, FLAG_NAMES } from './json.js';
import { LOCAL_NAME_PATTERN, MAX_SCRATCH_BYTES, NAME_PATTERN } from './shape.js';
import { MAX_PLUGIN_ATOMS, PARAM_KINDS } from './types.js';

/** A JSON Schema document (plain JSON). */
export type JsonSchema = { readonly [key: string]: unknown };

/** Where the schema file lives in the package. */
export const PLUGIN_SCHEMA_PATH = 'schema/plugin.schema.json';

const SAFE = Number.MAX_SAFE_INTEGER;

/**
 * pluginSchema - the JSON Schema of a plugin definition file.
 * @returns a fresh schema object (serialise it with JSON.stringify).
 * @example
 * ```ts
 * writeFileSync('plugin.schema.json', `${JSON.stringify(pluginSchema(), null, 2)}\n`);
 * ```
 */
export function pluginSchema(): JsonSchema {
  const local = LOCAL_NAME_PATTERN.source;
  const flagNames = Object.keys(FLAG_NAMES);
  const flagAlternatives = `(SYSLET_)?(${flagNames.join('|')})`;
  const constantAlternatives = `(${CONSTANT_NAMES.join('|')})`;
  const name = (what: string): JsonSchema => ({ type: 'string', description: what });
  const byArity = new Map<number, string[]>();
  for (const call of ATOM_CALLS) {
    const arity = syscallByName(call)?.args.length ?? 0;
    byArity.set(arity, [...(byArity.get(arity) ?? []), call]);
  }
  const form = (key: string, value: JsonSchema, description: string): JsonSchema => ({
    type: 'object', description, additionalProperties: false, required: [key], properties: { [key]: value },
  });
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    title: 'syslet-aio plugin definition',
    description: 'A canned syslet: named parameters, local cells and scratch areas, and up to 16 atoms, each a syscall from the table. Load it with `syslet-aio run file.json` or definePlugin(definitionFromJson(json)).',
    type: 'object',
    additionalProperties: false,
    required: ['name', 'atoms'],
    properties: {
      $schema: { type: 'string', description: 'This schema, for editors.' },
      name: { type: 'string', pattern: NAME_PATTERN.source, description: 'Dotted identifiers, unique in a registry: "file.readAll".' },
      description: { type: 'string' },
      params: {
        type: 'object',
        description: 'The parameters filled per request, by name, with their kinds; each must be used. Default {}.',
        propertyNames: { $ref: '#/$defs/localName' },
        additionalProperties: { enum: [...PARAM_KINDS] },
      },
      cells: {
        type: 'object',
        description: 'Local 64-bit cells with their initial value (a literal or {"param": name}), reset on every request.',
        propertyNames: { $ref: '#/$defs/localName' },
        additionalProperties: { oneOf: [{ $ref: '#/$defs/literal' }, form('param', name('the parameter it starts from'), 'starts from a parameter')] },
      },
      scratch: {
        type: 'object',
        description: 'Local byte areas by name: a size, or {size, fields}.',
        propertyNames: { $ref: '#/$defs/localName' },
        additionalProperties: { oneOf: [{ $ref: '#/$defs/scratchSize' }, { $ref: '#/$defs/scratchArea' }] },
      },
      atoms: { type: 'array', minItems: 1, maxItems: MAX_PLUGIN_ATOMS, items: { $ref: '#/$defs/atom' } },
    },
    $defs: {
      localName: { type: 'string', pattern: local, not: { const: '__proto__' } },
      atomId: { type: 'string', pattern: `^(?!\\d+$)${local.slice(1)}`, not: { const: '__proto__' } },
      literal: { type: 'integer', minimum: -SAFE, maximum: SAFE, description: 'A literal word (JSON numbers are exact up to 2^53).' },
      atomRef: { oneOf: [{ type: 'integer', minimum: 0, maximum: MAX_PLUGIN_ATOMS - 1 }, { $ref: '#/$defs/atomId' }], description: 'An atom by index or id.' },
      flags: {
        description: 'SYSLET_* flags: a number, names joined with |, or an array of names (the SYSLET_ prefix is optional).',
        oneOf: [
          { type: 'integer', minimum: 0, maximum: SYSLET_VALID_FLAGS },
          { type: 'string', pattern: `^\\s*${flagAlternatives}\\s*(\\|\\s*${flagAlternatives}\\s*)*$` },
          { type: 'array', items: { type: 'string', pattern: `^\\s*${flagAlternatives}\\s*$` } },
        ],
      },
      scratchSize: { type: 'integer', minimum: 1, maximum: MAX_SCRATCH_BYTES },
      scratchArea: {
        type: 'object',
        additionalProperties: false,
        required: ['size'],
        properties: {
          size: { $ref: '#/$defs/scratchSize' },
          fields: { type: 'array', items: { $ref: '#/$defs/scratchField' } },
        },
      },
      scratchField: {
        type: 'object',
        description: 'Set on every request from a parameter, a buffer parameter\'s length, or a literal.',
        additionalProperties: false,
        required: ['at', 'width'],
        properties: {
          at: { type: 'integer', minimum: 0, maximum: MAX_SCRATCH_BYTES - 2 },
          width: { enum: [2, 4, 8] },
          byteOrder: { enum: ['little', 'big'] },
          param: { type: 'string' },
          lengthOf: { type: 'string' },
          value: { $ref: '#/$defs/literal' },
        },
        oneOf: [{ required: ['param'] }, { required: ['lengthOf'] }, { required: ['value'] }],
      },
      arg: {
        oneOf: [
          { $ref: '#/$defs/literal' },
          {
            type: 'string',
            pattern: `^\\s*${constantAlternatives}\\s*(\\|\\s*${constantAlternatives}\\s*)*$`,
            description: 'Kernel constants by name, joined with |: "AT_FDCWD", "O_RDONLY|O_CLOEXEC" (the values the package root exports, from the system headers).',
          },
          form('param', name('a parameter'), 'the request\'s parameter (a buffer parameter: its address)'),
          form('lengthOf', name('a path, in or out parameter'), 'the byte length of a buffer parameter'),
          form('result', { $ref: '#/$defs/atomRef' }, 'the result of an atom that runs before this one on every path'),
          form('cell', name('a cell'), 'a local cell\'s value'),
          form('ref', name('a cell'), 'a local cell\'s address'),
          form('scratch', name('a scratch area'), 'a scratch area\'s address'),
          form('resultRef', { $ref: '#/$defs/atomRef' }, 'the address of an earlier atom\'s result cell'),
        ],
      },
      atom: {
        type: 'object',
        additionalProperties: false,
        required: ['call', 'args'],
        properties: {
          id: { $ref: '#/$defs/atomId' },
          description: { type: 'string' },
          call: { enum: [...ATOM_CALLS], description: 'A syscall from the table (the deny-list excluded).' },
          args: { type: 'array', maxItems: 6, items: { $ref: '#/$defs/arg' } },
          flags: { $ref: '#/$defs/flags' },
          next: { oneOf: [{ $ref: '#/$defs/atomRef' }, { type: 'null' }], description: 'The next atom; null ends the chain.' },
        },
        // Exactly as many arguments as the call takes.
        allOf: [...byArity].sort(([a], [b]) => a - b).map(([arity, calls]) => ({
          if: { required: ['call'], properties: { call: { enum: calls } } },
          then: { properties: { args: { minItems: arity, maxItems: arity } } },
        })),
      },
    },
  };
}
