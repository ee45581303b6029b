/**
 * mkdir, rename, unlink and rm on node:fs/promises and on syslet-aio/fs: the same effect on the
 * file system and the same results and errors. Ported from Node's test-fs-promises.js (mkdir
 * with a number or string mode, recursive mkdir onto a file, rename then stat, unlink) and
 * test-fs-rm.js (force, a directory without `recursive`, retries options).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('mkdir: a new directory (mode under the umask), EEXIST, ENOENT, ENOTDIR; recursive as Node', async (t) => {
  const dir = scratch(t);
  const target = join(dir, 'new');
  const fresh = () => rmSync(target, { recursive: true, force: true });
  await sameOnBoth((fs) => fs.mkdir(target), fresh);
  await sameOnBoth(async (fs) => {
    await fs.mkdir(target, 0o750);
    return statSync(target).mode;
  }, fresh);
  await sameOnBoth(async (fs) => {
    await fs.mkdir(target, '711');
    return statSync(target).mode;
  }, fresh);
  await sameOnBoth((fs) => fs.mkdir(target), () => void mkdirSync(target, { recursive: true }));
  await sameOnBoth((fs) => fs.mkdir(join(dir, 'missing', 'x')));
  writeFileSync(join(dir, 'file'), '');
  await sameOnBoth((fs) => fs.mkdir(join(dir, 'file', 'x')));
  await sameOnBoth((fs) => fs.mkdir(join(target, 'a', 'b'), { recursive: true }), fresh);
  await sameOnBoth((fs) => fs.mkdir(join(dir, 'file'), { recursive: true }));
  await sameOnBoth((fs) => fs.mkdir(target, { recursive: 1 } as never), fresh);
});

test('rename and unlink: moved and removed as Node does; errors name both paths', async (t) => {
  const dir = scratch(t);
  const from = join(dir, 'from');
  const to = join(dir, 'to');
  const reset = () => {
    rmSync(to, { recursive: true, force: true });
    writeFileSync(from, 'moving');
  };
  await sameOnBoth(async (fs) => {
    await fs.rename(from, to);
    return [existsSync(from), readdirSync(dir).sort()];
  }, reset);
  await sameOnBoth((fs) => fs.rename(join(dir, 'missing'), to), reset);
  await sameOnBoth((fs) => fs.rename(from, join(dir, 'missing', 'x')), reset);
  mkdirSync(join(dir, 'full'));
  writeFileSync(join(dir, 'full', 'x'), '');
  await sameOnBoth((fs) => fs.rename(join(dir, 'full'), dir), reset);
  await sameOnBoth((fs) => fs.unlink(from), reset);
  await sameOnBoth((fs) => fs.unlink(join(dir, 'missing')), reset);
  await sameOnBoth((fs) => fs.unlink(join(dir, 'full')), reset);
});

test('rm: a file, a missing file with and without force, a directory without recursive (ERR_FS_EISDIR), recursive', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  const tree = join(dir, 'tree');
  const reset = () => {
    writeFileSync(file, 'x');
    mkdirSync(join(tree, 'a'), { recursive: true });
    writeFileSync(join(tree, 'a', 'b'), 'x');
  };
  await sameOnBoth(async (fs) => {
    await fs.rm(file);
    return existsSync(file);
  }, reset);
  await sameOnBoth((fs) => fs.rm(join(dir, 'missing')), reset);
  await sameOnBoth((fs) => fs.rm(join(dir, 'missing'), { force: true }), reset);
  await sameOnBoth((fs) => fs.rm(tree), reset);
  await sameOnBoth(async (fs) => {
    await fs.rm(tree, { recursive: true });
    return existsSync(tree);
  }, reset);
  await sameOnBoth((fs) => fs.rm(file, { force: 'yes' } as never), reset);
  await sameOnBoth((fs) => fs.rm(file, { maxRetries: -1 }), reset);
  await sameOnBoth((fs) => fs.rm(join(file, 'below')), reset);
  assert.ok(existsSync(dir));
});
