/**
 * syslet-aio/fs exports every name node:fs/promises exports, named and on its default export
 * (docs/fs.md: "Same functions ... everything else is node:fs/promises's own"), on every Node the
 * package supports — including `glob`, which node:fs/promises has from Node 22 on.
 *
 * hunt25 (session 25), from the packed package on Node 22.23.5: node:fs/promises exported 33
 * names, syslet-aio/fs all but `glob`; `import { glob } from 'syslet-aio/fs'` failed to link
 * (SyntaxError: does not provide an export named 'glob') and the default export's `glob` was
 * undefined. On Node 20 nothing is missing, so the named check of `glob` (undefined there, as
 * Node's module has none) is what this test sees on a Node 20 machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs/promises';
import nodeFsDefault from 'node:fs/promises';
import * as sysletFs from '../fs.js';

test('syslet-aio/fs exports every name node:fs/promises exports, glob included', () => {
  const nodeNames = Object.keys(nodeFs).filter((name) => name !== 'default');
  assert.deepEqual(nodeNames.filter((name) => !(name in sysletFs)), [], 'named exports missing');
  const nodeDefault = nodeFsDefault as unknown as Record<string, unknown>;
  const sysletDefault = sysletFs.default as unknown as Record<string, unknown>;
  assert.deepEqual(Object.keys(nodeDefault).filter((name) => !(name in sysletDefault)), [], 'default export members missing');
  // Node 22's: on Node 20 both are undefined, on 22 both functions.
  assert.ok('glob' in sysletFs, 'a named export glob');
  assert.equal(typeof (sysletFs as Record<string, unknown>).glob, typeof (nodeFs as Record<string, unknown>).glob);
  assert.equal(typeof sysletDefault.glob, typeof nodeDefault.glob);
});
