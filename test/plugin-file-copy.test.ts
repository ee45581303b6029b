/**
 * file.copy: two opens and a copy_file_range loop that ends at 0, then both closes — on a real
 * multi-megabyte file, through the plugin and through copyFileSyslet; a failed destination open
 * still closes the source.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COPY, copyFileSyslet, fileCopy } from '../plugins/index.js';
import { cstring, engineWithTempDir, fdsUnder } from './plugin-fixture.js';

test('file.copy copies a file in the kernel and closes both fds on every path', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'copy');
  const content = randomBytes(3 * 1024 * 1024 + 17);
  const src = join(dir, 'src');
  writeFileSync(src, content);

  const outcome = await fileCopy.run(engine, { src: cstring(engine, src).at, dst: cstring(engine, join(dir, 'dst')).at, mode: 0o600 });
  assert.equal(outcome.stop, 'end');
  assert.equal(outcome.atoms[COPY.copy]?.result, 0, 'the loop ended on copy_file_range returning 0');
  assert.equal(outcome.atoms[COPY.total]?.result, content.length);
  assert.equal(outcome.atoms[COPY.closeSrc]?.result, 0);
  assert.equal(outcome.atoms[COPY.closeDst]?.result, 0);
  assert.deepEqual(readFileSync(join(dir, 'dst')), content);
  assert.equal(statSync(join(dir, 'dst')).mode & 0o777, 0o600);

  const noDir = await fileCopy.run(engine, { src: cstring(engine, src).at, dst: cstring(engine, join(dir, 'no/such/dir')).at, mode: 0o644 });
  assert.equal(noDir.atoms[COPY.openDst]?.errno, 'ENOENT');
  assert.equal(noDir.atoms[COPY.closeSrcOnError]?.result, 0, 'the source is closed when the destination cannot be opened');
  assert.equal(noDir.atoms[COPY.copy]?.executed, false);

  writeFileSync(join(dir, 'dst2'), 'old content that must be truncated away');
  assert.equal(await copyFileSyslet(engine, src, join(dir, 'dst2')), content.length);
  assert.deepEqual(readFileSync(join(dir, 'dst2')), content);
  await assert.rejects(copyFileSyslet(engine, join(dir, 'missing'), join(dir, 'x')), { code: 'ENOENT', syscall: 'open', path: join(dir, 'missing') });
  assert.deepEqual(fdsUnder(dir), []);
});
