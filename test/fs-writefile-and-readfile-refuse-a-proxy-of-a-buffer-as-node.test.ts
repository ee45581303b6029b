/**
 * writeFile / appendFile data and readFile's path given a Proxy around a Buffer whose get trap
 * forwards to the Buffer. A Proxy of a typed array passes `instanceof Uint8Array` (its prototype
 * is the target's) but is no ArrayBufferView, and Node refuses it with ERR_INVALID_ARG_TYPE.
 * syslet-aio/fs (hunt28) took it: writeFile and appendFile wrote its bytes (and a trap that
 * answers `length` 4096 wrote the Buffer's 16 bytes and 4,080 zeros), readFile opened the proxied
 * path. (writeFile/appendFile refuse it since 2d921ce; readFile's path still does not.) (A Proxy with no trap is a TypeError on both sides, Node's "this is not a typed array".)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

/** bindingProxy - a Proxy of `target` whose get trap forwards to the target (methods bound to it). */
function bindingProxy(target: Buffer): Buffer {
  return new Proxy(target, {
    get(object, key) {
      const value: unknown = Reflect.get(object, key, object);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(object) : value;
    },
  });
}

test('writeFile, appendFile and readFile refuse a Proxy of a Buffer with ERR_INVALID_ARG_TYPE, as Node', async (t) => {
  for (const { name, fs } of IMPLEMENTATIONS) {
    const dir = scratch(t, 'fs-proxy-buffer');
    const file = join(dir, 'file.txt');
    writeFileSync(file, 'abc');
    const refused = { code: 'ERR_INVALID_ARG_TYPE' };
    await assert.rejects(async () => fs.writeFile(join(dir, 'w2'), bindingProxy(Buffer.from('abc'))), refused, `${name}: writeFile of a forwarding Proxy`);
    await assert.rejects(async () => fs.appendFile(join(dir, 'a1'), bindingProxy(Buffer.from('abc'))), refused, `${name}: appendFile of a forwarding Proxy`);
    await assert.rejects(async () => fs.readFile(bindingProxy(Buffer.from(file))), refused, `${name}: readFile of a proxied path`);
  }
});
