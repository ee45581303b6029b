/**
 * readdir, on node:fs/promises and on syslet-aio/fs: the same names in the same order (libuv
 * sorts them by their bytes), the same Dirent objects with `withFileTypes`, the same encodings
 * and errors. Ported from Node's test-fs-promises.js ("readdir lists both files and
 * directories") and test-fs-readdir-types.js; a directory larger than one 64 KiB batch of
 * records, names that JavaScript's string order sorts differently, and `recursive` are added.
 */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('names, types and order: files, directories, links, a FIFO; non-ASCII names sorted by bytes', async (t) => {
  const dir = scratch(t);
  for (const name of ['b', 'a', 'C', 'é', 'z', '\u{1f600}', '\uffff', 'ä', '10', '9']) writeFileSync(join(dir, name), name);
  mkdirSync(join(dir, 'sub'));
  symlinkSync(join(dir, 'a'), join(dir, 'link'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  await sameOnBoth((fs) => fs.readdir(dir));
  await sameOnBoth((fs) => fs.readdir(dir, { withFileTypes: true }));
  await sameOnBoth((fs) => fs.readdir(dir, 'buffer'));
  await sameOnBoth((fs) => fs.readdir(dir, { encoding: 'buffer', withFileTypes: true }));
  await sameOnBoth((fs) => fs.readdir(dir, { encoding: 'latin1' }));
  await sameOnBoth((fs) => fs.readdir(Buffer.from(dir), { withFileTypes: true }));
  await sameOnBoth((fs) => fs.readdir(pathToFileURL(dir), { withFileTypes: true }));
  await sameOnBoth((fs) => fs.readdir(join(dir, 'sub')));
});

test('a directory of 3,000 entries (several getdents64 batches) lists every name once, in order', async (t) => {
  const dir = scratch(t);
  for (let i = 0; i < 3000; i++) writeFileSync(join(dir, `entry-with-a-longish-name-${i}`), '');
  await sameOnBoth((fs) => fs.readdir(dir));
  await sameOnBoth((fs) => fs.readdir(dir, { withFileTypes: true }));
});

test('errors and options: ENOENT, ENOTDIR, a bad encoding, a bad option type; recursive as Node', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'x');
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  writeFileSync(join(dir, 'a', 'b', 'c'), 'x');
  await sameOnBoth((fs) => fs.readdir(join(dir, 'missing')));
  await sameOnBoth((fs) => fs.readdir(join(dir, 'file')));
  await sameOnBoth((fs) => fs.readdir(dir, { encoding: 'nope' } as never));
  await sameOnBoth((fs) => fs.readdir(dir, 42 as never));
  await sameOnBoth((fs) => fs.readdir(dir, { withFileTypes: 'yes' } as never));
  await sameOnBoth((fs) => fs.readdir(dir, { recursive: true }));
  await sameOnBoth((fs) => fs.readdir(dir, { recursive: true, withFileTypes: true }));
});
