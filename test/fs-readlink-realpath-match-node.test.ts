/**
 * readlink and realpath, on node:fs/promises and on syslet-aio/fs: the same targets and resolved
 * paths in every encoding Node takes (a Buffer for 'buffer' only, UTF-8 for '' and null), for
 * string, Buffer and file: URL paths, and the same errors field by field (ENOENT, EINVAL on
 * something that is not a link, ENOTDIR, ELOOP, ENAMETOOLONG, a bad encoding). Ported from Node's
 * test-fs-promises.js (readlink and realpath of a symlink) and test-fs-readlink-type-check.js.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Engine } from '../engine/engine.js';
import { createFs } from '../fs/index.js';
import { fsFdPath, fsOpenPath, fsReadlink } from '../fs/links.js';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

const ENCODINGS: readonly unknown[] = [undefined, 'buffer', { encoding: 'buffer' }, 'latin1', { encoding: 'hex' }, { encoding: '' }, { encoding: null }, null, {}, 'nope', { encoding: 42 }];

/** A directory with links of every kind the tests read. */
function links(dir: string): Record<string, string> {
  const file = join(dir, 'file');
  writeFileSync(file, 'data');
  mkdirSync(join(dir, 'sub'));
  writeFileSync(join(dir, 'sub', 'inner'), 'x');
  const made: Record<string, string> = {
    relative: 'file',
    absolute: file,
    toDir: 'sub',
    dangling: 'nowhere',
    nonUtf8: Buffer.from([0x74, 0xff, 0xfe, 0x2d, 0xc3, 0xa9]).toString('latin1'),
    long: `${'a'.repeat(200)}/b`, // past the 60 bytes ext4 keeps in the inode
    longest: 'x/'.repeat(2047) + 'y', // 4,095 bytes: the longest target symlink(2) takes
    loop: 'loop',
  };
  for (const [name, target] of Object.entries(made)) {
    symlinkSync(name === 'nonUtf8' ? Buffer.from(target, 'latin1') : target, join(dir, name));
  }
  return made;
}

test('readlink gives every link\'s target in every encoding, for string, Buffer and URL paths', async (t) => {
  const dir = scratch(t);
  for (const name of Object.keys(links(dir))) {
    const path = join(dir, name);
    for (const options of ENCODINGS) {
      await sameOnBoth((fs) => fs.readlink(path, options as never), undefined, `readlink ${name} ${JSON.stringify(options)}`);
    }
    await sameOnBoth((fs) => fs.readlink(Buffer.from(path)), undefined, `readlink Buffer ${name}`);
    await sameOnBoth((fs) => fs.readlink(pathToFileURL(path), 'buffer'), undefined, `readlink URL ${name}`);
  }
});

test('readlink errors: ENOENT, EINVAL on a file, a directory and through a trailing slash, ENOTDIR, ELOOP, ENAMETOOLONG, bad arguments', async (t) => {
  const dir = scratch(t);
  links(dir);
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const paths = [
    join(dir, 'missing'), join(dir, 'missing', 'x'), join(dir, 'file'), join(dir, 'sub'), join(dir, 'fifo'), '/dev/null', '/',
    `${join(dir, 'toDir')}/`, `${join(dir, 'relative')}/`, join(dir, 'file', 'x'), `${join(dir, 'loop')}/`, `${join(dir, 'dangling')}/`,
    join(dir, 'toDir', 'inner'), '', 'a'.repeat(5000), `${dir}/${'b'.repeat(300)}`,
  ];
  for (const path of paths) await sameOnBoth((fs) => fs.readlink(path), undefined, `readlink ${path.slice(0, 80)}`);
  for (const bad of [42, null, undefined, {}, `${dir}/a\0b`, new URL('http://example.com/x')]) {
    await sameOnBoth((fs) => fs.readlink(bad as never), undefined, `readlink ${typeof bad}`);
  }
});

test('realpath resolves links, dots and repeated slashes as realpath(3) does, in every encoding', async (t) => {
  const dir = scratch(t);
  links(dir);
  symlinkSync(join(dir, 'toDir'), join(dir, 'chain'));
  const paths = [
    join(dir, 'file'), join(dir, 'relative'), join(dir, 'absolute'), join(dir, 'toDir'), join(dir, 'chain'), `${join(dir, 'chain')}/inner`,
    `${dir}//sub/./inner`, `${dir}/sub/../file`, `${join(dir, 'toDir')}/../file`, `${dir}/sub/`, '/', '.', '..', '/proc/self', '/dev/null',
    '/dev/stdin', process.cwd(),
  ];
  for (const path of paths) {
    for (const options of ENCODINGS) {
      await sameOnBoth((fs) => fs.realpath(path, options as never), undefined, `realpath ${path} ${JSON.stringify(options)}`);
    }
  }
  await sameOnBoth((fs) => fs.realpath(Buffer.from(join(dir, 'chain'))), undefined, 'realpath Buffer');
  await sameOnBoth((fs) => fs.realpath(pathToFileURL(join(dir, 'chain')), 'buffer'), undefined, 'realpath URL');
});

test('realpath errors: ENOENT (a dangling link too), ENOTDIR, ELOOP, ENAMETOOLONG, bad arguments', async (t) => {
  const dir = scratch(t);
  links(dir);
  const paths = [
    join(dir, 'missing'), join(dir, 'dangling'), join(dir, 'file', 'x'), `${join(dir, 'file')}/`, join(dir, 'loop'), '',
    'a'.repeat(5000), `${dir}/${'b'.repeat(300)}`, join(dir, 'long'),
  ];
  for (const path of paths) await sameOnBoth((fs) => fs.realpath(path), undefined, `realpath ${path.slice(0, 80)}`);
  for (const bad of [42, null, undefined, {}, `${dir}/a\0b`]) {
    await sameOnBoth((fs) => fs.realpath(bad as never), undefined, `realpath ${typeof bad}`);
  }
});

test('readlink and realpath of a cached path are served on the engine, by direct calls (no chain)', async (t) => {
  const dir = scratch(t);
  links(dir);
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  assert.equal(await fs.readlink(join(dir, 'relative')), 'file');
  assert.equal(await fs.realpath(join(dir, 'relative')), join(dir, 'file'));
  // On an engine whose policy allows openat, readlinkat and close, a path the dcache resolves is
  // openat2 (RESOLVE_CACHED), readlinkat and close made directly; the chains are for a path it
  // cannot (fs-readlink-realpath-through-proc-magic-links-match-node covers them).
  assert.equal(fsReadlink.poolStats(engine).slabs, 0, 'fs.readlink is not needed for a cached path');
  assert.equal(fsOpenPath.poolStats(engine).slabs, 0, 'fs.openPath is not needed for a cached path');
  assert.equal(fsFdPath.poolStats(engine).slabs, 0, 'fs.fdPath is not needed on a default engine');
});
