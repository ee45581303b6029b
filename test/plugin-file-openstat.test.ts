/**
 * file.openStat: openat + fstat in one submission. The fd comes back open for the caller, the
 * struct stat lands in the caller's buffer, and a failed open stops the chain before fstat.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileOpenStat, STAT_SIZE_OFFSET } from '../plugins/index.js';
import { cstring, engineWithTempDir } from './plugin-fixture.js';

test('file.openStat returns an open fd and its struct stat, or stops at a failed open', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'openstat');
  const path = join(dir, 'f');
  writeFileSync(path, 'hello, syslets');
  const statbuf = engine.alloc(144);
  const outcome = await fileOpenStat.run(engine, { path: cstring(engine, path).at, statbuf: statbuf.start });
  assert.equal(outcome.stop, 'end');
  const fd = Number(outcome.atoms[0]?.result);
  assert.ok(fd >= 0);
  assert.equal(outcome.atoms[1]?.result, 0);
  const expected = statSync(path);
  assert.equal(fstatSync(fd).ino, expected.ino, 'the fd is open on the file');
  assert.equal(Number(statbuf.view.getBigInt64(STAT_SIZE_OFFSET, true)), expected.size);
  assert.equal(Number(statbuf.view.getBigUint64(8, true)), expected.ino, 'st_ino at 8');
  closeSync(fd);

  const missing = await fileOpenStat.run(engine, { path: cstring(engine, join(dir, 'nope')).at, statbuf: statbuf.start });
  assert.equal(missing.atoms[0]?.errno, 'ENOENT');
  assert.equal(missing.atoms[1]?.executed, false);
  assert.equal(missing.stop, 'flag');
});
