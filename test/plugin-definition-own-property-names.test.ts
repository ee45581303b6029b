/**
 * Names are looked up as own properties only (issue 14 item 8): `constructor`, `toString` and
 * `hasOwnProperty` work as parameter, cell and scratch names, and where nothing by that name is
 * declared they are refused at definition as PluginDefinitionErrors — never an Object.prototype
 * member mistaken for a declaration (which used to give -EFAULT at run time, or a raw TypeError).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { definePlugin, PluginDefinitionError, PluginRegistry } from '../plugins/index.js';

test('Object.prototype member names work as names when declared', async (t) => {
  const plugin = definePlugin({
    name: 'test.protoNames',
    params: { constructor: 'uint', toString: 'uint' },
    cells: { hasOwnProperty: { param: 'constructor' } },
    scratch: { valueOf: { size: 8, fields: [{ at: 0, width: 8, param: 'toString' }] } },
    atoms: [
      { call: 'umem_add', args: [{ ref: 'hasOwnProperty' }, 5] },
      { call: 'umem_add', args: [{ scratch: 'valueOf' }, 1] },
    ],
  });
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const result = await plugin.run(engine, { constructor: 10, toString: 20 });
  assert.deepEqual(result.atoms.map((atom) => atom.result), [15, 21]);
  assert.equal(result.cells.hasOwnProperty, 15);
  assert.equal(result.scratch.valueOf.readBigUInt64LE(0), 21n);
  await assert.rejects(plugin.run(engine, { toString: 1 } as never), /missing parameter 'constructor'/);
});

const UNDECLARED: [what: string, definition: unknown, field: string][] = [
  ['{ ref: "constructor" } with no cells', { name: 't.ref', params: {}, atoms: [{ call: 'umem_add', args: [{ ref: 'constructor' }, 1] }] }, 'args[0]'],
  ['{ cell: "toString" }', { name: 't.cell', params: {}, atoms: [{ call: 'close', args: [{ cell: 'toString' }] }] }, 'args[0]'],
  ['{ scratch: "hasOwnProperty" }', { name: 't.scratch', params: {}, atoms: [{ call: 'fstat', args: [0, { scratch: 'hasOwnProperty' }] }] }, 'args[1]'],
  ['{ param: "toString" } as an argument', { name: 't.param', params: {}, atoms: [{ call: 'close', args: [{ param: 'toString' }] }] }, 'args[0]'],
  ['a cell started from { param: "hasOwnProperty" }', { name: 't.cellParam', params: {}, cells: { c: { param: 'hasOwnProperty' } }, atoms: [{ call: 'getpid', args: [] }] }, 'cells.c'],
  ['a scratch field from { param: "constructor" }', { name: 't.field', params: {}, scratch: { s: { size: 8, fields: [{ at: 0, width: 8, param: 'constructor' }] } }, atoms: [{ call: 'getpid', args: [] }] }, 'scratch.s'],
  ['__proto__ as a parameter name', JSON.parse('{"name":"t.proto","params":{"__proto__":"fd"},"atoms":[{"call":"getpid","args":[]}]}'), 'params.__proto__'],
];

for (const [what, definition, field] of UNDECLARED) {
  test(`refused at definition, from definePlugin and from a registry: ${what}`, () => {
    const check = (error: unknown): boolean => error instanceof PluginDefinitionError && error.field === field;
    assert.throws(() => definePlugin(definition as never), check);
    assert.throws(() => new PluginRegistry().register(definition as never), check);
  });
}
