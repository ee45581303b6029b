/**
 * A definition of the wrong shape is a PluginDefinitionError naming the field and its path, from
 * definePlugin, PluginRegistry.register and composePlugins alike (issue 15 item 12) — never a raw
 * TypeError from reading a property of null: `atoms: [null]`, an atom without `args`,
 * `fields: [null]`, `{ param: 'toString' }` in cells, and the other fields of the wrong type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composePlugins, definePlugin, PluginDefinitionError, PluginRegistry } from '../plugins/index.js';

const getpid = { call: 'getpid', args: [] };

const CASES: [what: string, definition: unknown, atomIndex: number, field: string, path: string][] = [
  ['atoms: [null]', { name: 't.a', params: {}, atoms: [null] }, 0, 'atom', 'atoms[0]'],
  ['an atom without args', { name: 't.b', params: {}, atoms: [{ call: 'getpid' }] }, 0, 'args', 'atoms[0].args'],
  ['args that are not an array', { name: 't.c', params: {}, atoms: [{ call: 'close', args: 3 }] }, 0, 'args', 'atoms[0].args'],
  ['a null argument', { name: 't.d', params: {}, atoms: [{ call: 'close', args: [null] }] }, 0, 'args[0]', 'atoms[0].args[0]'],
  ['an empty argument object', { name: 't.e', params: {}, atoms: [{ call: 'close', args: [{}] }] }, 0, 'args[0]', 'atoms[0].args[0]'],
  ['a parameter name that is not a string', { name: 't.f', params: {}, atoms: [{ call: 'close', args: [{ param: 5 }] }] }, 0, 'args[0].param', 'atoms[0].args[0].param'],
  ['fields: [null]', { name: 't.g', params: {}, scratch: { s: { size: 8, fields: [null] } }, atoms: [getpid] }, -1, 'scratch.s', 'scratch.s.fields[0]'],
  ['fields that are not an array', { name: 't.h', params: {}, scratch: { s: { size: 8, fields: {} } }, atoms: [getpid] }, -1, 'scratch.s', 'scratch.s.fields'],
  ['a null scratch area', { name: 't.i', params: {}, scratch: { s: null }, atoms: [getpid] }, -1, 'scratch.s', 'scratch.s'],
  ["{ param: 'toString' } in cells", { name: 't.j', params: {}, cells: { c: { param: 'toString' } }, atoms: [getpid] }, -1, 'cells.c', 'cells.c'],
  ['a null cell', { name: 't.k', params: {}, cells: { c: null }, atoms: [getpid] }, -1, 'cells.c', 'cells.c'],
  ['cells that are an array', { name: 't.l', params: {}, cells: [1], atoms: [getpid] }, -1, 'cells', 'cells'],
  ['params: null', { name: 't.m', params: null, atoms: [getpid] }, -1, 'params', 'params'],
  ['atoms that are not an array', { name: 't.n', params: {}, atoms: 'getpid' }, -1, 'atoms', 'atoms'],
  ['a call that is not a string', { name: 't.o', params: {}, atoms: [{ call: 39, args: [] }] }, 0, 'call', 'atoms[0].call'],
  ['a next that is an object', { name: 't.p', params: {}, atoms: [{ ...getpid, next: {} }] }, 0, 'next', 'atoms[0].next'],
  ['a null definition', null, -1, 'definition', ''],
];

for (const [what, definition, atomIndex, field, path] of CASES) {
  test(`PluginDefinitionError naming the field: ${what}`, () => {
    const check = (error: unknown): boolean => {
      assert.ok(error instanceof PluginDefinitionError, `${String(error)}`);
      assert.equal(error.atomIndex, atomIndex);
      assert.equal(error.field, field);
      assert.equal(error.path, path);
      return true;
    };
    assert.throws(() => definePlugin(definition as never), check, 'definePlugin');
    assert.throws(() => new PluginRegistry().register(definition as never), check, 'PluginRegistry.register');
  });
}

test('composePlugins names the part that is not a plugin, and the composed field at fault', () => {
  const pid = definePlugin({ name: 't.pid', params: { n: 'pid' }, atoms: [{ call: 'kill', args: [{ param: 'n' }, 0] }] });
  const fd = definePlugin({ name: 't.fd', params: { n: 'fd' }, atoms: [{ call: 'close', args: [{ param: 'n' }] }] });
  for (const parts of [[null], [pid, {}], [pid, { definition: null }], 'x']) {
    assert.throws(() => composePlugins('t.composed', parts as never), (error: unknown) => error instanceof PluginDefinitionError && /^parts/.test(error.field), JSON.stringify(parts));
  }
  assert.throws(() => composePlugins('t.composed', [pid, fd]), (error: unknown) => error instanceof PluginDefinitionError && error.field === 'params.n');
  assert.throws(() => composePlugins('Bad Name', [fd]), (error: unknown) => error instanceof PluginDefinitionError && error.field === 'name');
  assert.throws(() => composePlugins('t.many', new Array(17).fill(fd) as never), (error: unknown) => error instanceof PluginDefinitionError && error.field === 'atoms');
});
