/**
 * readFile, stat and open given a Buffer path whose `length` is shadowed by an own property
 * claiming fewer bytes than the Buffer holds. Node encodes the path from the view's real bytes
 * (its native layer reads the view's internal length), so it opens the file the bytes name.
 * syslet-aio/fs took `path.length` as the path's length: `/tmp/x/secret.txt.public` cut to
 * 22 bytes named `/tmp/x/secret.txt`, another file (hunt28: its contents were returned).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

/** pathWithShortLength - the Buffer of `full`, whose `length` property says `claimed`. */
function pathWithShortLength(full: string, claimed: number): Buffer {
  const path = Buffer.from(full);
  Object.defineProperty(path, 'length', { value: claimed });
  return path;
}

test('a Buffer path whose length property lies names the whole path, as Node', async (t) => {
  for (const { name, fs } of IMPLEMENTATIONS) {
    const dir = scratch(t, 'fs-lying-path');
    const secret = join(dir, 'secret.txt');
    const full = `${secret}.public`;
    writeFileSync(secret, 'SECRET');
    writeFileSync(full, 'public');
    const path = () => pathWithShortLength(full, Buffer.byteLength(secret));
    assert.equal(await fs.readFile(path(), 'utf8'), 'public', `${name}: readFile reads the file the bytes name`);
    assert.equal((await fs.stat(path())).size, 'public'.length, `${name}: stat describes the file the bytes name`);
    const handle = await fs.open(path());
    try {
      assert.equal(await handle.readFile('utf8'), 'public', `${name}: open opens the file the bytes name`);
    } finally {
      await handle.close();
    }
  }
});
