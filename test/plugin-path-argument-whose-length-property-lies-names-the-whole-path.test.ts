/**
 * A Buffer path given to the package root (readFileSyslet, a plugin's `path` parameter) whose own
 * `length` property claims fewer bytes than it holds. Node's fs reads the view's real bytes; the
 * root's pathOf took the Buffer as it was and its `length` as the path's: '<secret>.public' cut
 * to the length of '<secret>' opened '<secret>', another file (hunt28 found it in
 * syslet-aio/fs; the root had the same). The bytes the view holds name the file now. So too an
 * `in` parameter whose `byteLength` says more than it holds: the copy took the rest of its store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { definePlugin, Engine, readFileSyslet } from '../index.js';

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

test('an in parameter whose byteLength property lies gives the kernel only the bytes it holds', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'in-lies-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const writer = definePlugin({
    name: 'test.lyingInWriter',
    params: { fd: 'fd', data: 'in' },
    atoms: [{ id: 'write', call: 'write', args: [{ param: 'fd' }, { param: 'data' }, { lengthOf: 'data' }] }],
  });
  // 16 bytes of an 8 KiB store whose next bytes are another Buffer's.
  const store = new ArrayBuffer(8192);
  const data = Buffer.from(store, 0, 16);
  data.write('0123456789abcdef', 'latin1');
  Buffer.from(store, 16, 20).write('NEIGHBOUR-0123456789', 'latin1');
  Object.defineProperty(data, 'byteLength', { value: 36 });
  const file = join(dir, 'out.bin');
  const fd = openSync(file, 'w');
  const engine = new Engine();
  t.after(() => engine.close());
  try {
    await writer.run(engine, { fd, data });
  } finally {
    closeSync(fd);
  }
  assert.equal(readFileSync(file, 'latin1'), '0123456789abcdef');
});
