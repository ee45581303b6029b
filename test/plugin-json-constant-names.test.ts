/**
 * A JSON definition names kernel constants instead of spelling their numbers: a string argument
 * is constant names joined with `|` (`"AT_FDCWD"`, `"O_RDONLY|O_CLOEXEC"`), resolved from the
 * same generated table the package root exports. An unknown name is refused with its JSON path,
 * by the loader and by the shipped schema alike; the loaded definition is the numeric one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { AT_FDCWD, MSG_DONTWAIT, MSG_NOSIGNAL, O_CLOEXEC, O_RDONLY } from '../engine/syscalls/constants.generated.js';
import { constantValue, definePlugin, definitionFromJson, PluginDefinitionError } from '../plugins/index.js';
import { validate } from './helpers/json-schema.js';

const schema = JSON.parse(readFileSync(new URL('../schema/plugin.schema.json', import.meta.url), 'utf8')) as Record<string, unknown>;

const readFile = (openFlags: unknown, dirfd: unknown = 'AT_FDCWD'): Record<string, unknown> => ({
  name: 'json.constants',
  params: { path: 'path', buf: 'out' },
  atoms: [
    { id: 'open', call: 'openat', args: [dirfd, { param: 'path' }, openFlags, 0], flags: 'STOP_ON_NEGATIVE' },
    { call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

test('constant names load as the numbers the package exports', () => {
  const named = definitionFromJson(readFile('O_RDONLY | O_CLOEXEC'));
  assert.deepEqual(named.atoms[0]?.args[0], AT_FDCWD);
  assert.deepEqual(named.atoms[0]?.args[2], O_RDONLY | O_CLOEXEC);
  assert.deepEqual(named, definitionFromJson(readFile(O_RDONLY | O_CLOEXEC, AT_FDCWD)), 'the same definition as with the numbers');
  assert.equal(constantValue('MSG_DONTWAIT|MSG_NOSIGNAL'), MSG_DONTWAIT | MSG_NOSIGNAL);
  assert.equal(definePlugin(named).name, 'json.constants');
  assert.deepEqual(validate(schema, readFile('O_RDONLY | O_CLOEXEC')), [], 'the schema accepts them');
});

test('an unknown name is refused at its path by the loader and by the schema', () => {
  for (const [flags, dirfd] of [['O_RDONLYY', 'AT_FDCWD'], ['O_RDONLY|', 'AT_FDCWD'], ['', 'AT_FDCWD'], [0, 'STOP_ON_NEGATIVE'], [0, 'toString'], [0, '__proto__']] as const) {
    const document = readFile(flags, dirfd);
    const path = dirfd === 'AT_FDCWD' ? 'atoms[0].args[2]' : 'atoms[0].args[0]';
    assert.throws(
      () => definitionFromJson(document),
      (error: unknown) => error instanceof PluginDefinitionError && error.path === path && /unknown constant/.test(error.message),
      `${JSON.stringify([flags, dirfd])}`,
    );
    const errors = validate(schema, document);
    assert.ok(errors.some((found) => found.path === path), `schema errors for ${JSON.stringify([flags, dirfd])}: ${JSON.stringify(errors)}`);
  }
});

test('names are for JSON: definePlugin still takes only numbers and reference forms', () => {
  assert.throws(() => definePlugin(readFile('O_RDONLY') as never), (error: unknown) => error instanceof PluginDefinitionError && error.path === 'atoms[0].args[0]');
});
