/**
 * A definition whose `atoms` or `args` array has a hole (`[, atom]`, `new Array(2)`,
 * `args: [fd, , 16, 0]` — a double comma in plain JavaScript) is a PluginDefinitionError naming
 * the slot, as `undefined` in that slot is (hunt26). Before: a hole in `atoms` threw a raw
 * TypeError ("Cannot read properties of undefined (reading 'args')", or "successors[stack.pop(...)]
 * is not iterable" for `new Array(2)`), which docs/plugins.md says never happens; a hole in
 * `args` was skipped by the validation (`forEach` skips holes) and compiled as a NULL argument
 * pointer, so `pread64(fd, , 16, 0)` ran as pread64(fd, NULL, 0, 0): the non-nullable buffer
 * and the count were dropped without a word. Session 26: plugins/shape.ts reads the arrays by index.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, PluginDefinitionError } from '../plugins/index.js';
import { AT_FDCWD, O_CLOEXEC } from '../engine/syscalls/constants.generated.js';

const getpid = { call: 'getpid', args: [] };
const isDefinitionError = (field: string) => (error: unknown): boolean => {
  assert.ok(error instanceof PluginDefinitionError, `not a PluginDefinitionError: ${String(error)}`);
  assert.equal(error.field, field);
  return true;
};

// eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
const HOLE_FIRST_ATOM = [, getpid];
// eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
const HOLE_FIRST_ARG = [, 0];
// eslint-disable-next-line no-sparse-arrays -- the hole is the case under test
const HOLE_BUFFER_ARG = [{ result: 'open' }, , 16, 0];

test('a hole in atoms is a PluginDefinitionError for that atom', () => {
  assert.throws(() => definePlugin({ name: 't.holeAtom', params: {}, atoms: HOLE_FIRST_ATOM } as never), isDefinitionError('atom'));
  assert.throws(() => definePlugin({ name: 't.holes', params: {}, atoms: new Array(2) }), isDefinitionError('atom'));
});

test('a hole in args is a PluginDefinitionError for that argument, not a NULL pointer', () => {
  assert.throws(() => definePlugin({ name: 't.holeArg', params: {}, atoms: [{ call: 'kill', args: HOLE_FIRST_ARG }] } as never), isDefinitionError('args[0]'));
  assert.throws(() => definePlugin({
    name: 't.holeBuf',
    params: { path: 'path' },
    atoms: [
      { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_CLOEXEC, 0], flags: 0x20 },
      { call: 'pread64', args: HOLE_BUFFER_ARG },
      { call: 'close', args: [{ result: 'open' }] },
    ],
  } as never), isDefinitionError('args[1]'));
});
