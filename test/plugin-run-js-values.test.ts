/**
 * Parameters given as JavaScript values: a `path` (string, Buffer or file: URL) is copied with
 * its NUL into engine memory, an `in` Uint8Array is registered for the run (its length through
 * `{ lengthOf }`), an `out` byte count comes back as `outputs[name]`, and an `fd` parameter takes
 * a FileHandle for its descriptor. No engine.alloc in the caller's code; bad values are refused
 * (with node:fs's error codes for paths) before anything runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { definePlugin, SYSLET_STOP_ON_NEGATIVE } from '../plugins/index.js';
import { engineWithTempDir } from './plugin-fixture.js';

const readFile = definePlugin({
  name: 'test.readFile',
  params: { path: 'path', buf: 'out' },
  atoms: [
    { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0o2000000, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

const writeFile = definePlugin({
  name: 'test.writeFile',
  params: { path: 'path', data: 'in' },
  atoms: [
    { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0o1 | 0o100 | 0o1000 | 0o2000000, 0o644], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'write', call: 'write', args: [{ result: 'open' }, { param: 'data' }, { lengthOf: 'data' }] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

test('path, in and out parameters take JavaScript values', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'js-values');
  const file = join(dir, 'hello.txt');
  writeFileSync(file, 'hello, syslets\n');
  for (const path of [file, Buffer.from(file), pathToFileURL(file)]) {
    const { byId, outputs } = await readFile.run(engine, { path, buf: 64 });
    assert.equal(byId.read.result, 15, `${typeof path}: read`);
    assert.equal(outputs.buf.length, 64, 'as many bytes as asked for');
    assert.equal(outputs.buf.subarray(0, 15).toString(), 'hello, syslets\n');
    assert.ok(outputs.buf.subarray(15).every((byte) => byte === 0), 'what the kernel did not write is zero');
  }
  const data = new TextEncoder().encode('written from a Uint8Array');
  const target = join(dir, 'out.txt');
  const written = await writeFile.run(engine, { path: target, data: data.subarray(8) });
  assert.equal(written.byId.write.result, data.length - 8, 'lengthOf is the view\'s own length');
  assert.equal(readFileSync(target, 'utf8'), 'from a Uint8Array');
  assert.equal(engine.memory.regionOfBuffer(data), null, 'the caller\'s buffer is unregistered after the run');

  const fstat = definePlugin({ name: 'test.fstat', params: { fd: 'fd' }, scratch: { st: 144 }, atoms: [{ call: 'fstat', args: [{ param: 'fd' }, { scratch: 'st' }] }] });
  const handle = await open(file);
  t.after(() => handle.close());
  const stat = await fstat.run(engine, { fd: handle });
  assert.equal(stat.atoms[0]?.result, 0);
  assert.equal(stat.scratch.st.readBigInt64LE(48), 15n, 'st_size of the file the FileHandle has open');

  const missing = await readFile.run(engine, { path: join(dir, 'nope'), buf: 16 });
  assert.equal(missing.byId.open.errno, 'ENOENT');
  assert.equal(missing.byId.read.executed, false);
});

test('bad values are refused before anything runs', async (t) => {
  const { engine } = engineWithTempDir(t, 'js-values-bad');
  await assert.rejects(readFile.run(engine, { path: 'a\0b', buf: 16 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(readFile.run(engine, { path: Buffer.from([0x61, 0]), buf: 16 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  await assert.rejects(readFile.run(engine, { path: new URL('http://example.com/x'), buf: 16 }), { name: 'TypeError', code: 'ERR_INVALID_URL_SCHEME' });
  await assert.rejects(readFile.run(engine, { path: 42 as never, buf: 16 }), { name: 'TypeError', code: 'ERR_INVALID_ARG_TYPE' });
  await assert.rejects(readFile.run(engine, { path: '/etc/hostname', buf: 0 }), RangeError);
  await assert.rejects(readFile.run(engine, { path: '/etc/hostname', buf: 1.5 }), RangeError);
  await assert.rejects(writeFile.run(engine, { path: '/tmp/x', data: 'text' as never }), TypeError);
  const stats = readFile.poolStats(engine);
  assert.equal(stats.free, stats.instances, 'every refused run gave its instance back');
});
