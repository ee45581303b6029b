/**
 * The JSON Schema the package ships (schema/plugin.schema.json) states the loader's rules: the
 * committed file is what plugins/schema.ts builds from the loader's own constants; every JSON
 * example and every built-in plugin passes both; a set of bad documents is refused by both at the
 * same JSON path (unknown keys such as `atoms[1].flgs` included), or — for the rules a schema
 * cannot state (a declared parameter, kinds, flow) — by the loader alone; and over thousands of
 * mutations of the valid documents, whatever the loader accepts the schema accepts too.
 * The schema is checked with test/helpers/json-schema.ts, a validator for exactly the keywords
 * it uses (no new dependency).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUILTIN_PLUGINS, definePlugin, definitionFromJson, PluginDefinitionError } from '../plugins/index.js';
import { renderPluginSchema } from '../scripts/gen-plugin-schema.js';
import { validate } from './helpers/json-schema.js';

const ROOT = new URL('../', import.meta.url);
const schemaText = readFileSync(new URL('schema/plugin.schema.json', ROOT), 'utf8');
const schema = JSON.parse(schemaText) as Record<string, unknown>;
const examples = readdirSync(new URL('examples/', ROOT)).filter((file) => file.endsWith('.json'));

function load(document: unknown): PluginDefinitionError | null {
  try {
    definePlugin(definitionFromJson(document));
    return null;
  } catch (error) {
    if (error instanceof PluginDefinitionError) return error;
    throw error;
  }
}

test('the shipped schema is what plugins/schema.ts builds (npm run gen:schema)', () => {
  assert.equal(schemaText, renderPluginSchema());
  assert.equal(fileURLToPath(new URL('schema/plugin.schema.json', ROOT)).endsWith('schema/plugin.schema.json'), true);
});

test('every JSON example and every built-in passes the schema and the loader', () => {
  assert.ok(examples.length >= 2);
  const documents: [string, unknown][] = [
    ...examples.map((file): [string, unknown] => [file, JSON.parse(readFileSync(new URL(`examples/${file}`, ROOT), 'utf8'))]),
    ...BUILTIN_PLUGINS.map((plugin): [string, unknown] => [plugin.name, JSON.parse(JSON.stringify(plugin.definition))]),
  ];
  for (const [label, document] of documents) {
    assert.deepEqual(validate(schema, document), [], label);
    assert.equal(load(document), null, label);
  }
});

const atom = (extra: Record<string, unknown> = {}): Record<string, unknown> => ({ call: 'getpid', args: [], ...extra });
const doc = (extra: Record<string, unknown>): Record<string, unknown> => ({ name: 'bad.doc', params: {}, atoms: [atom()], ...extra });

// [what, document, the path the loader names, whether the schema can see it too]
const BAD: [string, unknown, string, boolean][] = [
  ['a misspelt atom key', doc({ atoms: [atom(), atom({ flgs: 'STOP_ON_NEGATIVE' })] }), 'atoms[1].flgs', true],
  ['a misspelt top-level key', doc({ param: {} }), 'param', true],
  ['a misspelt argument form', doc({ atoms: [{ call: 'close', args: [{ parm: 'fd' }] }] }), 'atoms[0].args[0].parm', true],
  ['a misspelt scratch field key', doc({ scratch: { s: { size: 8, fields: [{ at: 0, width: 8, vaule: 1 }] } } }), 'scratch.s.fields[0].vaule', true],
  ['an unknown syscall', doc({ atoms: [{ call: 'opneat', args: [] }] }), 'atoms[0].call', true],
  ['a denied syscall', doc({ atoms: [{ call: 'fork', args: [] }] }), 'atoms[0].call', true],
  ['too many arguments', doc({ atoms: [{ call: 'close', args: [1, 2] }] }), 'atoms[0].args', true],
  ['an unknown flag name', doc({ atoms: [atom({ flags: 'STOP_ON_MAYBE' })] }), 'atoms[0].flags', true],
  ['flags beyond 32 bits', doc({ atoms: [atom({ flags: 4294967296 })] }), 'atoms[0].flags', true],
  ['an unknown parameter kind', doc({ params: { fd: 'handle' } }), 'params.fd', true],
  ['no atoms', doc({ atoms: [] }), 'atoms', true],
  ['a null atom', doc({ atoms: [null] }), 'atoms[0]', true],
  ['a bad name', doc({ name: 'Bad Name' }), 'name', true],
  ['a scratch area too large', doc({ scratch: { s: 65537 } }), 'scratch.s', true],
  ['a field of width 3', doc({ scratch: { s: { size: 8, fields: [{ at: 0, width: 3, value: 1 }] } } }), 'scratch.s.fields[0].width', true],
  ['an id that reads as an index', doc({ atoms: [atom({ id: '7' })] }), 'atoms[0].id', true],
  ['$schema that is not a string', doc({ $schema: 5 }), '$schema', true],
  // What only the loader can see: names, kinds and flow.
  ['an undeclared parameter', doc({ atoms: [{ call: 'close', args: [{ param: 'fd' }] }] }), 'atoms[0].args[0]', false],
  ['an unused parameter', doc({ params: { fd: 'fd' } }), 'params.fd', false],
  ['a pointer where an fd goes', doc({ params: { p: 'ptr' }, atoms: [{ call: 'close', args: [{ param: 'p' }] }] }), 'atoms[0].args[0]', false],
  ['a result that has not run', doc({ atoms: [{ call: 'close', args: [{ result: 'later' }] }, atom({ id: 'later' })] }), 'atoms[0].args[0]', false],
  ['a next that names nothing', doc({ atoms: [atom({ next: 'nowhere' })] }), 'atoms[0].next', false],
];

for (const [what, document, path, schemaSees] of BAD) {
  test(`refused: ${what} (${path})`, () => {
    const error = load(document);
    assert.ok(error !== null, 'the loader refused it');
    assert.equal(error.path, path, error.message);
    const errors = validate(schema, document);
    if (schemaSees) assert.ok(errors.some((found) => found.path === path || found.path.startsWith(`${path}.`) || found.path.startsWith(`${path}[`)), `schema errors: ${JSON.stringify(errors)}`);
    else assert.deepEqual(errors, [], 'a schema cannot state this rule; the loader does');
  });
}

test('over mutations of the valid documents, what the loader accepts the schema accepts', (t) => {
  const seeds = [
    ...examples.map((file) => JSON.parse(readFileSync(new URL(`examples/${file}`, ROOT), 'utf8')) as unknown),
    ...BUILTIN_PLUGINS.map((plugin) => JSON.parse(JSON.stringify(plugin.definition)) as unknown),
  ];
  const replacements: unknown[] = [null, 'x', -1, 1.5, 2 ** 32, [], {}, 'STOP_ON_ZERO'];
  let mutations = 0;
  let accepted = 0;
  for (const seed of seeds) {
    for (const mutant of mutate(seed, replacements)) {
      mutations++;
      const loaderAccepts = load(mutant) === null;
      if (!loaderAccepts) continue;
      accepted++;
      assert.deepEqual(validate(schema, mutant), [], `the loader accepted ${JSON.stringify(mutant)}`);
    }
  }
  t.diagnostic(`${mutations} mutations, ${accepted} accepted by the loader and the schema`);
  assert.ok(mutations > 1000 && accepted > 0, `${mutations} mutations, ${accepted} accepted`);
});

/** Every document that differs from `value` in one place: a key removed or renamed, a value replaced. */
function* mutate(value: unknown, replacements: readonly unknown[]): Generator<unknown> {
  if (Array.isArray(value)) {
    const items = value as unknown[];
    for (let i = 0; i < items.length; i++) {
      yield items.filter((_, j) => j !== i);
      for (const inner of mutate(items[i], replacements)) yield items.map((item, j) => (j === i ? inner : item));
    }
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const { [key]: removed, ...rest } = record;
      yield rest;
      yield { ...rest, [`${key}s`]: removed };
      for (const inner of mutate(removed, replacements)) yield { ...record, [key]: inner };
    }
  }
  for (const replacement of replacements) if (replacement !== value) yield replacement;
}
