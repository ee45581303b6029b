/**
 * readFileSyslet / readFileInto: file.readStart for callers with a path string. They return the
 * file's bytes (or copy them into the caller's buffer), reject like fs does, and reuse the engine's
 * pooled slots instead of allocating engine memory per call.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { helperPoolStats, readFileInto, readFileSyslet } from '../plugins/index.js';
import { AbortError } from '../engine/errors.js';
import { engineWithTempDir, fdsUnder } from './plugin-fixture.js';

test('readFileSyslet and readFileInto return the bytes, reject with fs-style codes, and reuse their slot', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'readall-helpers');
  const small = randomBytes(4096);
  const large = randomBytes(100_000);
  writeFileSync(join(dir, 'small'), small);
  writeFileSync(join(dir, 'large'), large);
  writeFileSync(join(dir, 'empty'), '');

  assert.deepEqual(await readFileSyslet(engine, join(dir, 'small'), 4096), small, 'a file of exactly maxBytes is accepted');
  assert.deepEqual(await readFileSyslet(engine, join(dir, 'large'), 128 * 1024), large);
  assert.deepEqual(await readFileSyslet(engine, Buffer.from(join(dir, 'large'))), large, 'a Buffer path works too');
  assert.equal((await readFileSyslet(engine, join(dir, 'empty'))).length, 0);

  const target = Buffer.alloc(1000);
  assert.equal(await readFileInto(engine, join(dir, 'large'), target), 1000, 'a larger file fills the target');
  assert.deepEqual(target, large.subarray(0, 1000));
  const roomy = Buffer.alloc(8192);
  assert.equal(await readFileInto(engine, join(dir, 'small'), roomy), 4096);
  assert.deepEqual(roomy.subarray(0, 4096), small);

  const rejects = async (promise: Promise<unknown>, code: string, syscall: string) => {
    await assert.rejects(promise, (error: NodeJS.ErrnoException) => error.code === code && error.syscall === syscall && error.message.startsWith(`${code}: `));
  };
  await rejects(readFileSyslet(engine, join(dir, 'missing')), 'ENOENT', 'open');
  await rejects(readFileSyslet(engine, dir), 'EISDIR', 'read');
  await rejects(readFileSyslet(engine, join(dir, 'large'), 4096), 'EFBIG', 'read');
  // A NUL would cut the path short in the kernel; Node refuses it as an argument, and so do the helpers.
  await assert.rejects(readFileSyslet(engine, `${dir}/a\0b`), { name: 'TypeError', code: 'ERR_INVALID_ARG_VALUE' });
  await rejects(readFileSyslet(engine, `/${'x'.repeat(5000)}`), 'ENAMETOOLONG', 'open');

  // Sequential calls reuse the first slab of slots.
  const before = helperPoolStats(engine)['slots/65536'];
  for (let i = 0; i < 2000; i++) await readFileSyslet(engine, join(dir, 'small'), 4096);
  assert.deepEqual(helperPoolStats(engine)['slots/65536'], before);
  assert.equal(before?.slabs, 1);
  assert.deepEqual(fdsUnder(dir), []);
});

test('readFileSyslet honours an already aborted signal without touching the engine', async () => {
  const engine = new Engine();
  const controller = new AbortController();
  controller.abort(new Error('stop'));
  await assert.rejects(readFileSyslet(engine, '/etc/hostname', 4096, { signal: controller.signal }), (error: unknown) => error instanceof AbortError && error.cause === controller.signal.reason);
  assert.deepEqual(helperPoolStats(engine), {});
  await engine.close();
});
