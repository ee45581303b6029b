/**
 * definePlugin keeps its own deep-copied, frozen definition (issue 14 item 8): changing the
 * caller's object afterwards changes neither `plugin.params`, nor `plugin.definition` (what
 * `plugins --json` prints), nor what composePlugins composes, nor the chain that runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { composePlugins, definePlugin } from '../plugins/index.js';

function deepFrozen(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  return Object.isFrozen(value) && Object.values(value).every(deepFrozen);
}

test('mutating a definition after definePlugin changes nothing the plugin keeps', async (t) => {
  const definition = {
    name: 'test.owned',
    params: { fd: 'fd' as 'fd' | 'ptr' },
    cells: { n: 1 },
    scratch: { s: { size: 16, fields: [{ at: 0, width: 8 as const, value: 7 }] } },
    atoms: [{ call: 'getpid' as 'getpid' | 'fork', args: [] as unknown[] }, { call: 'fcntl' as string, args: [{ param: 'fd' }, 1, 0] }],
  };
  definition.atoms[1] = { call: 'close', args: [{ param: 'fd' }] };
  const plugin = definePlugin(definition as never);
  const before = JSON.stringify(plugin.definition);
  definition.name = 'test.changed';
  definition.params.fd = 'ptr';
  definition.cells.n = 99;
  (definition.scratch.s.fields[0] as { value: number }).value = 8;
  (definition.atoms[0] as { call: string }).call = 'fork';
  definition.atoms[1]?.args.push(5);
  definition.atoms.push({ call: 'getppid', args: [] });
  assert.equal(JSON.stringify(plugin.definition), before, 'plugin.definition did not follow the caller\'s object');
  assert.deepEqual(plugin.params, { fd: 'fd' });
  assert.equal(plugin.name, 'test.owned');
  assert.ok(deepFrozen(plugin.definition), 'every level of the plugin\'s definition is frozen');
  assert.throws(() => {
    (plugin.params as Record<string, string>).fd = 'ptr';
  }, TypeError);
  const composed = composePlugins('test.composed', [plugin]);
  assert.deepEqual(composed.calls, ['getpid', 'close'], 'composePlugins composed what was defined');
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const result = await plugin.run(engine, { fd: -1 });
  assert.deepEqual(result.atoms.map((atom) => [atom.call, atom.result]), [['getpid', process.pid], ['close', -9]]);
});
