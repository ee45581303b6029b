/**
 * Atoms can be named: `{ id: 'open', ... }`, `{ result: 'open' }`, `{ resultRef: 'open' }` and
 * `next: 'done'`, and indices still work (the same template written both ways compiles to the
 * same layout). A reference to an atom that has not run on every path to the referring one is
 * refused at definition, naming the atom and the field: a later atom, itself, an atom on one
 * branch only (the skip target of a stop flag), and an id that names nothing or is taken twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  definePlugin, PluginDefinitionError, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, type PluginDefinition,
} from '../plugins/index.js';

const SKIP = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

test('names and indices compile to the same plugin', () => {
  const named = definePlugin({
    name: 'test.named',
    params: { path: 'ptr', buf: 'ptr' },
    atoms: [
      { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0, 0], flags: SYSLET_STOP_ON_NEGATIVE },
      { id: 'read', call: 'read', args: [{ result: 'open' }, { param: 'buf' }, 16], flags: SKIP, next: 'done' },
      { id: 'failed', call: 'close', args: [{ result: 'open' }], next: null },
      { id: 'done', call: 'close', args: [{ result: 'open' }] },
    ],
  });
  const indexed = definePlugin({
    name: 'test.indexed',
    params: { path: 'ptr', buf: 'ptr' },
    atoms: [
      { call: 'openat', args: [-100, { param: 'path' }, 0, 0], flags: SYSLET_STOP_ON_NEGATIVE },
      { call: 'read', args: [{ result: 0 }, { param: 'buf' }, 16], flags: SKIP, next: 3 },
      { call: 'close', args: [{ result: 0 }], next: null },
      { call: 'close', args: [{ result: 0 }] },
    ],
  });
  const withoutIds = (layout: typeof named.layout): object => Object.fromEntries(Object.entries(layout).filter(([key]) => key !== 'atomIds'));
  assert.deepEqual(withoutIds(named.layout), withoutIds(indexed.layout));
  assert.deepEqual(named.layout.atomIds, ['open', 'read', 'failed', 'done']);
  assert.deepEqual(named.layout.next, [1, 3, -1, -1]);
});

const CASES: [what: string, definition: PluginDefinition, atomIndex: number, field: string, message: RegExp][] = [
  ['a later atom, by id', {
    name: 't.later', params: {}, atoms: [{ call: 'close', args: [{ result: 'pid' }] }, { id: 'pid', call: 'getpid', args: [] }],
  }, 0, 'args[0]', /refers to atom 1 \('pid'\), which does not run before atom 0 on every path/],
  ['itself, in a loop', {
    name: 't.self', params: {}, cells: { n: 3 },
    atoms: [{ id: 'count', call: 'umem_add', args: [{ ref: 'n' }, { result: 'count' }], flags: SYSLET_STOP_ON_NEGATIVE, next: 'count' }],
  }, 0, 'args[1]', /refers to atom 0 \('count'\)/],
  ['an atom on one branch only', {
    name: 't.branch', params: { buf: 'ptr' },
    atoms: [
      { id: 'open', call: 'openat', args: [-100, { param: 'buf' }, 0, 0], flags: SKIP, next: 'opened' },
      { id: 'fallback', call: 'getpid', args: [], next: 'use' },
      { id: 'opened', call: 'getppid', args: [] },
      // Reached from 'fallback' (open failed) and from 'opened': 'opened' is not on every path.
      { id: 'use', call: 'close', args: [{ result: 'opened' }] },
    ],
  }, 3, 'args[0]', /refers to atom 2 \('opened'\), which does not run before atom 3 on every path/],
  ['the address of a result that may not be there', {
    name: 't.resultref', params: { error_code: 'ptr', return_value: 'ptr' },
    atoms: [
      { id: 'pid', call: 'getpid', args: [], flags: SKIP, next: 'status' },
      { id: 'onStop', call: 'getppid', args: [] },
      { id: 'status', call: 'aio_status', args: [{ resultRef: 'onStop' }, { param: 'error_code' }, { param: 'return_value' }, 8] },
    ],
  }, 2, 'args[0]', /refers to atom 1 \('onStop'\)/],
  ['an unknown id', { name: 't.unknown', params: {}, atoms: [{ id: 'a', call: 'close', args: [{ result: 'b' as 'a' }] }] }, 0, 'args[0]', /no atom 'b' \(ids: a\)/],
  ['an unknown next', { name: 't.next', params: {}, atoms: [{ id: 'a', call: 'getpid', args: [], next: 'zz' }] }, 0, 'next', /no atom 'zz'/],
  ['a repeated id', { name: 't.twice', params: {}, atoms: [{ id: 'a', call: 'getpid', args: [] }, { id: 'a', call: 'getpid', args: [] }] }, 1, 'id', /'a' is already atom 0's id/],
  ['an id that reads as an index', { name: 't.digits', params: {}, atoms: [{ id: '1', call: 'getpid', args: [] }] }, 0, 'id', /not all digits/],
  ['a skip with no atom after it', { name: 't.skip', params: {}, atoms: [{ call: 'getpid', args: [], flags: SKIP }] }, 0, 'flags', /SKIP_TO_NEXT_ON_STOP on the last atom/],
];

for (const [what, definition, atomIndex, field, message] of CASES) {
  test(`refused at definition: ${what}`, () => {
    assert.throws(() => definePlugin(definition), (error: unknown) => {
      assert.ok(error instanceof PluginDefinitionError, String(error));
      assert.equal(error.atomIndex, atomIndex);
      assert.equal(error.field, field);
      assert.equal(error.path, `atoms[${atomIndex}].${field}`);
      assert.match(error.message, message);
      return true;
    });
  });
}

test('a loop may read what the atom before the loop produced, and what runs before it inside the loop', () => {
  const plugin = definePlugin({
    name: 'test.loop',
    params: { fd: 'fd', buf: 'ptr' },
    cells: { offset: 0 },
    atoms: [
      { id: 'dup', call: 'dup', args: [{ param: 'fd' }], flags: SYSLET_STOP_ON_NEGATIVE },
      { id: 'read', call: 'pread64', args: [{ result: 'dup' }, { param: 'buf' }, 16, { cell: 'offset' }], flags: SKIP | 0x40, next: 'advance' },
      { id: 'close', call: 'close', args: [{ result: 'dup' }], next: null },
      { id: 'advance', call: 'umem_add', args: [{ ref: 'offset' }, { result: 'read' }], next: 'read' },
    ],
  });
  assert.deepEqual(plugin.layout.next, [1, 3, -1, 1]);
});
