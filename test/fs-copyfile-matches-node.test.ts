/**
 * copyFile, on node:fs/promises and on syslet-aio/fs: the same bytes and permission bits in the
 * destination, the same errors (syscall 'copyfile', both paths). Ported from Node's
 * test-fs-copyfile.js (a copy overwrites, COPYFILE_EXCL refuses an existing destination, a
 * missing source, a mode out of range, a source copied onto itself is left as it was) and
 * test-fs-copyfile-respect-permissions.js (the destination gets the source's mode).
 */
import { test } from 'node:test';
import { randomBytes } from 'node:crypto';
import { chmodSync, constants, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('copies of every size overwrite (and shorten) the destination and carry the source\'s mode', async (t) => {
  const dir = scratch(t);
  const src = join(dir, 'src');
  const dest = join(dir, 'dest');
  for (const size of [0, 10, 70_000, 3 * 1024 * 1024]) {
    const bytes = randomBytes(size);
    const reset = () => {
      writeFileSync(src, bytes);
      writeFileSync(dest, randomBytes(size + 1000));
    };
    await sameOnBoth(async (fs) => {
      await fs.copyFile(src, dest);
      return [readFileSync(dest), statSync(dest).mode];
    }, reset, `${size} bytes`);
  }
  for (const mode of [0o600, 0o755, 0o640]) {
    await sameOnBoth(async (fs) => {
      await fs.copyFile(src, dest);
      return statSync(dest).mode;
    }, () => {
      writeFileSync(src, 'x');
      chmodSync(src, mode);
      rmSync(dest, { force: true });
    }, `mode ${mode.toString(8)}`);
  }
});

test('COPYFILE_EXCL, a missing source, a directory, the same file, bad modes: Node\'s results and errors', async (t) => {
  const dir = scratch(t);
  const src = join(dir, 'src');
  const dest = join(dir, 'dest');
  const reset = () => {
    writeFileSync(src, 'source bytes');
    writeFileSync(dest, 'old');
  };
  await sameOnBoth((fs) => fs.copyFile(src, dest, constants.COPYFILE_EXCL), reset);
  await sameOnBoth(async (fs) => {
    await fs.copyFile(src, join(dir, 'fresh'), constants.COPYFILE_EXCL);
    return readFileSync(join(dir, 'fresh'), 'utf8');
  }, () => {
    reset();
    rmSync(join(dir, 'fresh'), { force: true });
  });
  await sameOnBoth((fs) => fs.copyFile(join(dir, 'missing'), dest), reset);
  await sameOnBoth((fs) => fs.copyFile(src, join(dir, 'missing', 'x')), reset);
  mkdirSync(join(dir, 'sub'));
  await sameOnBoth((fs) => fs.copyFile(src, join(dir, 'sub')), reset);
  await sameOnBoth(async (fs) => {
    await fs.copyFile(src, src);
    return readFileSync(src, 'utf8');
  }, reset);
  await sameOnBoth((fs) => fs.copyFile(src, dest, 8), reset);
  await sameOnBoth((fs) => fs.copyFile(src, dest, 'x' as never), reset);
  await sameOnBoth((fs) => fs.copyFile(src, dest, constants.COPYFILE_FICLONE), reset);
});
