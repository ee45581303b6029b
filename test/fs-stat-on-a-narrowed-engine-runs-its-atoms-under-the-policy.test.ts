/**
 * stat and lstat of a cached path make their three calls (openat2 with RESOLVE_CACHED, statx on
 * the O_PATH fd, close) directly on the calling thread only when the engine's policy allows
 * openat, statx and close; an engine narrowed with `allow` keeps seeing them as the fs.stat
 * chain's atoms: what it did not allow is denied and reported to its onDeny, never made behind
 * its back, and the caller gets the denial as Node's error shape (EPERM, syscall stat).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { fsStat } from '../fs/chains.js';
import { narrowedFs } from './helpers/narrowed-fs.js';

test('a narrowed engine without statx sees stat\'s statx denied and the call fails with EPERM', async (t) => {
  const { file, engine, denials, fs } = narrowedFs(t, ['openat', 'close']);
  await assert.rejects(fs.stat(file), { code: 'EPERM', syscall: 'stat', path: file });
  assert.deepEqual(denials.map((record) => record.name), ['statx'], 'the statx went through the policy');
  assert.equal(fsStat.poolStats(engine).slabs, 1, 'fs.stat ran on the engine');
});

test('an engine that allows openat, statx and close answers a cached stat and lstat without the fs.stat chain', async (t) => {
  const { dir, file, engine, denials, fs } = narrowedFs(t, ['openat', 'statx', 'close']);
  // Looked up once, so that the dcache holds both names (the missing one as a negative entry).
  statSync(file);
  assert.throws(() => statSync(join(dir, 'missing')), { code: 'ENOENT' });
  const stats = await fs.stat(file);
  assert.equal(stats.size, 4);
  assert.equal(stats.ino, statSync(file).ino);
  assert.equal((await fs.lstat(file, { bigint: true })).size, 4n);
  await assert.rejects(fs.stat(join(dir, 'missing')), { code: 'ENOENT', syscall: 'stat', path: join(dir, 'missing') });
  assert.deepEqual(denials, []);
  assert.equal(fsStat.poolStats(engine).slabs, 0);
});
