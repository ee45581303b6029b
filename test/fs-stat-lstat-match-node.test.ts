/**
 * stat and lstat, on node:fs/promises and on syslet-aio/fs: Node's own Stats and BigIntStats
 * classes with equal fields (dev, ino, mode, nlink, uid, gid, rdev, size, blksize, blocks, the four
 * times in ms — and ns with `bigint` — and the Date objects), equal answers from isFile() and the
 * other type methods, and equal errors. Ported from Node's test-fs-promises.js ("file stats",
 * lstat of a symlink) and test-fs-stat-bigint.js; the kinds of file and the errors of a path are
 * added.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { IMPLEMENTATIONS, sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('files, directories, symlinks, FIFOs and devices: stat and lstat give Node\'s Stats, field by field, bigint too', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'x'.repeat(5000));
  mkdirSync(join(dir, 'sub'));
  symlinkSync(file, join(dir, 'link'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const paths = [file, join(dir, 'sub'), join(dir, 'link'), join(dir, 'fifo'), '/dev/null', '/', '/proc/self/status'];
  for (const path of paths) {
    for (const bigint of [false, true]) {
      await sameOnBoth((fs) => fs.stat(path, { bigint }), undefined, `stat ${path} bigint=${bigint}`);
      await sameOnBoth((fs) => fs.lstat(path, { bigint }), undefined, `lstat ${path} bigint=${bigint}`);
    }
  }
  await sameOnBoth((fs) => fs.lstat(join(dir, 'dangling')));
  for (const { name, fs } of IMPLEMENTATIONS) {
    const stats = await fs.lstat(join(dir, 'link'));
    assert.ok(stats.isSymbolicLink(), `${name}: lstat sees the link`);
    assert.ok((await fs.stat(join(dir, 'link'))).isFile(), `${name}: stat follows it`);
    assert.equal(typeof (await fs.stat(file, { bigint: true })).mtimeNs, 'bigint', `${name}: bigint times`);
  }
});

test('path forms and errors: Buffer and URL paths; ENOENT, ENOTDIR, ELOOP, a NUL, a bad options value', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  writeFileSync(file, 'x');
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
  await sameOnBoth((fs) => fs.stat(Buffer.from(file)));
  await sameOnBoth((fs) => fs.stat(pathToFileURL(file)));
  await sameOnBoth((fs) => fs.stat(join(dir, 'missing')));
  await sameOnBoth((fs) => fs.lstat(join(dir, 'missing')));
  await sameOnBoth((fs) => fs.stat(join(file, 'below')));
  await sameOnBoth((fs) => fs.stat(join(dir, 'loop')));
  await sameOnBoth((fs) => fs.stat(`${file}\0`));
  await sameOnBoth((fs) => fs.stat({} as never));
  await sameOnBoth((fs) => fs.stat(file, null as never));
  await sameOnBoth((fs) => fs.stat(`/${'d'.repeat(5000)}`));
});

test('times before 1970 and far after 2038 give Node\'s milliseconds and nanoseconds', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'timed');
  writeFileSync(file, 'x');
  // touch(1), as Node's utimes takes a negative time for "now".
  for (const date of ['1960-05-01 12:00:00.25', '1969-12-31 23:59:59.5', '2160-01-01 00:00:00.125', '1970-01-01 00:00:00']) {
    execFileSync('touch', ['-d', `${date} UTC`, file]);
    for (const bigint of [false, true]) await sameOnBoth((fs) => fs.stat(file, { bigint }), undefined, `times ${date} bigint=${bigint}`);
  }
  assert.ok((await IMPLEMENTATIONS[1]!.fs.stat(file)).mtimeMs === 0, 'the last time set is the epoch');
});
