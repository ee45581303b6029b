/**
 * access, on node:fs/promises and on syslet-aio/fs: the same answer for each mode, the same
 * errors. Ported from Node's test-fs-promises.js (access of an existing file, of a missing one
 * with its message, mode 8 out of range, a mode object that is not a number) and
 * test-fs-access.js (R_OK, W_OK, X_OK).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { constants } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('access: each mode on a file, a read-only file and a missing one; mode errors are Node\'s', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  const readOnly = join(dir, 'ro');
  writeFileSync(readOnly, 'x');
  chmodSync(readOnly, 0o444);
  const { F_OK, R_OK, W_OK, X_OK } = constants;
  for (const mode of [undefined, F_OK, R_OK, W_OK, X_OK, R_OK | W_OK]) {
    for (const path of [file, readOnly, join(dir, 'missing'), dir, join(file, 'x')]) {
      await sameOnBoth((fs) => fs.access(path, mode), undefined, `${path} ${String(mode)}`);
    }
  }
  await sameOnBoth((fs) => fs.access(file, 8));
  await sameOnBoth((fs) => fs.access(file, { [Symbol.toPrimitive]: () => 5 } as never));
  await sameOnBoth((fs) => fs.access(`${file}\0`));
  for (const { name, fs } of IMPLEMENTATIONS) {
    await assert.rejects(fs.access('this file does not exist', 0), { code: 'ENOENT', name: 'Error', message: /^ENOENT: no such file or directory, access/ }, name);
  }
});
