/**
 * A Buffer path given to the package root (readFileSyslet, a plugin's `path` parameter) whose own
 * `length` property claims fewer bytes than it holds. Node's fs reads the view's real bytes; the
 * root's pathOf took the Buffer as it was and its `length` as the path's: '<secret>.public' cut
 * to the length of '<secret>' opened '<secret>', another file (hunt28 found it in
 * syslet-aio/fs; the root had the same). The bytes the view holds name the file now.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, readFileSyslet } from '../index.js';

test('a Buffer path whose length property lies names the file its bytes name', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'path-lies-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const secret = join(dir, 'secret.txt');
  const full = `${secret}.public`;
  writeFileSync(secret, 'SECRET');
  writeFileSync(full, 'public');
  const path = Buffer.from(full);
  Object.defineProperty(path, 'length', { value: Buffer.byteLength(secret) });
  const engine = new Engine();
  t.after(() => engine.close());
  const bytes = await readFileSyslet(engine, path);
  assert.equal(Buffer.from(bytes).toString(), 'public');
});
