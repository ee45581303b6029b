/**
 * The package root's helpers take a Uint8Array made in another realm — a `node:vm` context, which
 * is where Jest runs test code — wherever they take one from this realm, as node:fs and
 * syslet-aio/fs do (Node checks with util.types.isUint8Array, which works across realms).
 *
 * hunt25 (session 25), from the packed package: node:fs/promises and syslet-aio/fs took such a path
 * in 12 calls and such data in 21 (all equal); readFileSyslet's path, a plugin's `path` parameter,
 * sockaddr_un's path and readFileInto's target threw ERR_INVALID_ARG_TYPE "must be of type string
 * or an instance of Buffer or URL. Received an instance of Uint8Array" — `instanceof Uint8Array`
 * in engine/arguments.ts, engine/structs.ts and plugins/helpers.ts is false across realms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import vm from 'node:vm';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { AT_FDCWD, Engine, definePlugin, readFileInto, readFileSyslet, sockaddr_un } from '../index.js';

const FILE = '/etc/hostname';
const context = vm.createContext({});
/** A Uint8Array of the context's realm holding `text`'s UTF-8 bytes. */
const foreignBytes = (text: string): Uint8Array => vm.runInContext(`new Uint8Array(${JSON.stringify([...Buffer.from(text)])})`, context) as Uint8Array;

const openClose = definePlugin({
  name: 'realm.openClose',
  params: { path: 'path' },
  atoms: [
    { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, 0, 0] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

test('root helpers take a Uint8Array from another realm, as node:fs does', async (t) => {
  const foreign = foreignBytes(FILE);
  assert.equal(foreign instanceof Uint8Array, false, 'the array is of another realm');
  // node:fs takes it: the behaviour to match.
  assert.equal((await readFile(foreign as Buffer)).length, readFileSync(FILE).length);
  const engine = new Engine();
  t.after(() => engine.close());
  const outcomes: string[] = [];
  const attempt = async (name: string, call: () => unknown): Promise<void> => {
    try {
      await call();
      outcomes.push(`${name}: ok`);
    } catch (error) {
      outcomes.push(`${name}: ${(error as { code?: string }).code ?? ''} ${(error as Error).message}`);
    }
  };
  await attempt('readFileSyslet path', async () => assert.deepEqual(await readFileSyslet(engine, foreign), readFileSync(FILE)));
  await attempt('plugin path parameter', async () => assert.ok(Number((await openClose.run(engine, { path: foreign })).byId.open.result) >= 0));
  await attempt('sockaddr_un path', () => sockaddr_un(foreignBytes('/tmp/syslet.sock')));
  await attempt('readFileInto target', async () => {
    const target = vm.runInContext('new Uint8Array(4096)', context) as Uint8Array;
    assert.equal(await readFileInto(engine, FILE, target), readFileSync(FILE).length);
  });
  assert.deepEqual(outcomes.filter((line) => !line.endsWith(': ok')), [], outcomes.join('\n'));
});
