/**
 * definePlugin's types check a literal definition at compile time: a misspelt syscall, a
 * `{ param }`, `{ cell }` or `{ result }` that names nothing declared, and run() parameters that
 * are misspelt, missing or of the wrong type fail to compile. Each `@ts-expect-error` line below
 * is checked by `tsc --noEmit -p .` (npm test's typecheck): if the line compiled, tsc would fail
 * with "Unused '@ts-expect-error' directive". At run time the same mistakes are refused too,
 * which is what the test asserts (for definitions that reach definePlugin without types: JSON,
 * or JavaScript).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { definePlugin, PluginDefinitionError, SYSLET_STOP_ON_NEGATIVE } from '../plugins/index.js';

const readFile = definePlugin({
  name: 'types.readFile',
  params: { path: 'path', buf: 'out' },
  cells: { total: 0 },
  atoms: [
    { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0o2000000, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0], next: 'close' },
    { id: 'close', call: 'close', args: [{ result: 'open' }] },
    { call: 'umem_add', args: [{ ref: 'total' }, 1] },
  ],
});

/** Compile-time only: never called. Every line marked @ts-expect-error must fail to compile. */
function typos(engine: Engine): void {
  // @ts-expect-error - 'opneat' is not a syscall in the table.
  definePlugin({ name: 'types.call', params: {}, atoms: [{ call: 'opneat', args: [] }] });
  // @ts-expect-error - 'pth' is not a declared parameter.
  definePlugin({ name: 'types.param', params: { path: 'path' }, atoms: [{ call: 'openat', args: [-100, { param: 'pth' }, 0, 0] }] });
  // @ts-expect-error - 'opne' is no atom's id.
  definePlugin({ name: 'types.result', params: {}, atoms: [{ id: 'open', call: 'getpid', args: [] }, { call: 'close', args: [{ result: 'opne' }] }] });
  // @ts-expect-error - 'count' is not a declared cell.
  definePlugin({ name: 'types.cell', params: {}, cells: { total: 0 }, atoms: [{ call: 'umem_add', args: [{ ref: 'count' }, 1] }] });
  // @ts-expect-error - 'int32' is not a parameter kind.
  definePlugin({ name: 'types.kind', params: { n: 'int32' }, atoms: [{ call: 'close', args: [{ param: 'n' }] }] });
  // @ts-expect-error - misspelt parameter name (and the real ones are missing).
  void readFile.run(engine, { pth: 1 });
  // @ts-expect-error - every parameter is required.
  void readFile.run(engine, {});
  // @ts-expect-error - a path is a string, Buffer or URL, not a number.
  void readFile.run(engine, { path: 1, buf: 16 });
  // @ts-expect-error - an out parameter is a byte count.
  void readFile.run(engine, { path: '/etc/hostname', buf: Buffer.alloc(16) });
  void readFile.run(engine, { path: '/etc/hostname', buf: 16 }).then((result) => {
    // @ts-expect-error - no atom has the id 'write'.
    void result.byId.write;
    // @ts-expect-error - no cell 'count'.
    void result.cells.count;
    // @ts-expect-error - 'path' is not an out parameter.
    void result.outputs.path;
    void result.byId.read.result;
    void result.cells.total;
    void result.outputs.buf;
  });
}

test('the mistakes the types refuse are refused at run time too', async (t) => {
  assert.equal(typeof typos, 'function');
  const runtime: [unknown, string][] = [
    [{ name: 'types.call', params: {}, atoms: [{ call: 'opneat', args: [] }] }, 'call'],
    [{ name: 'types.param', params: { path: 'path' }, atoms: [{ call: 'openat', args: [-100, { param: 'pth' }, 0, 0] }] }, 'args[1]'],
    [{ name: 'types.result', params: {}, atoms: [{ id: 'open', call: 'getpid', args: [] }, { call: 'close', args: [{ result: 'opne' }] }] }, 'args[0]'],
    [{ name: 'types.cell', params: {}, cells: { total: 0 }, atoms: [{ call: 'umem_add', args: [{ ref: 'count' }, 1] }] }, 'args[0]'],
    [{ name: 'types.kind', params: { n: 'int32' }, atoms: [{ call: 'close', args: [{ param: 'n' }] }] }, 'params.n'],
  ];
  for (const [definition, field] of runtime) {
    assert.throws(() => definePlugin(definition as never), (error: unknown) => error instanceof PluginDefinitionError && error.field === field, field);
  }
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  await assert.rejects(readFile.run(engine, { pth: 1 } as never), /missing parameter 'path'/);
  await assert.rejects(readFile.run(engine, {} as never), /missing parameter 'path'/);
  await assert.rejects(readFile.run(engine, { path: '/etc/hostname', buf: 16, pth: 1 } as never), /unknown parameter 'pth'/);
  await assert.rejects(readFile.run(engine, { path: 1, buf: 16 } as never), TypeError);
});
