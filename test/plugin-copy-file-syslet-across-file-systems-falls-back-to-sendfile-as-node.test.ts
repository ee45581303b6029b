/**
 * copyFileSyslet between two file systems of different types (a file in /dev/shm, tmpfs, copied
 * into the test's temp dir, ext4 or overlay) copies the file as node:fs's copyFile does. Since
 * Linux 5.19 copy_file_range refuses such a pair with EXDEV; libuv then copies with sendfile, and
 * copyFileSyslet answered EXDEV (fusehang29, session 29: /dev/shm -> /tmp and FUSE -> ext4). Its
 * fallback chain, file.copyBySendfile, copies them. Skipped where /dev/shm is missing or is the
 * temp dir's own file system type (then copy_file_range itself copies and no fallback is needed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { copyFile } from 'node:fs/promises';
import { existsSync, mkdtempSync, readFileSync, rmSync, statfsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COPY, copyFileSyslet, fileCopy } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

const SHM = '/dev/shm';
const skip = !existsSync(SHM)
  ? 'no /dev/shm on this machine'
  : false;

test('copyFileSyslet from tmpfs to another file system copies as node:fs copyFile does', { skip }, async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'copy-xfs');
  if (statfsSync(SHM).type === statfsSync(dir).type) {
    t.skip(`${SHM} and ${dir} are one file system type: copy_file_range copies between them`);
    return;
  }
  const shmDir = mkdtempSync(join(SHM, 'syslet-copy-'));
  t.after(() => rmSync(shmDir, { recursive: true, force: true }));
  const content = randomBytes(1024 * 1024 + 321);
  const src = join(shmDir, 'src');
  writeFileSync(src, content);

  // What copy_file_range says about this pair, through file.copy itself: the case this test is for.
  const plain = await fileCopy.run(engine, { src: cstring(engine, src).at, dst: cstring(engine, join(dir, 'probe')).at, mode: 0o600 });
  const refused = plain.atoms[COPY.copy]?.errno;
  t.diagnostic(`file.copy's copy_file_range between them: ${refused ?? plain.atoms[COPY.copy]?.result}`);

  await copyFile(src, join(dir, 'by-node'));
  writeFileSync(join(dir, 'by-syslet'), 'older and longer content than nothing, cut after the copy');
  assert.equal(await copyFileSyslet(engine, src, join(dir, 'by-syslet'), { mode: 0o600 }), content.length);
  assert.deepEqual(readFileSync(join(dir, 'by-syslet')), readFileSync(join(dir, 'by-node')));
  assert.deepEqual(readFileSync(join(dir, 'by-syslet')), content);

  // A new destination gets the mode; an empty source copies 0 bytes; a missing one is ENOENT.
  assert.equal(await copyFileSyslet(engine, src, join(dir, 'fresh'), { mode: 0o640 }), content.length);
  assert.equal(statSync(join(dir, 'fresh')).mode & 0o777, 0o640 & ~process.umask());
  writeFileSync(join(shmDir, 'empty'), '');
  assert.equal(await copyFileSyslet(engine, join(shmDir, 'empty'), join(dir, 'fresh')), 0);
  assert.equal(statSync(join(dir, 'fresh')).size, 0);
  await assert.rejects(copyFileSyslet(engine, join(shmDir, 'missing'), join(dir, 'x')), { code: 'ENOENT', syscall: 'open' });
  assert.deepEqual(fdsUnder(dir), []);
  assert.deepEqual(fdsUnder(shmDir), []);
});
