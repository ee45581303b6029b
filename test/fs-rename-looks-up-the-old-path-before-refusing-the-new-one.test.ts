/**
 * rename with a new path the kernel refuses before any lookup (empty: ENOENT; PATH_MAX bytes or
 * more: ENAMETOOLONG) answers what node:fs/promises's rename(2) answers: the old path's lookup
 * error comes first (ENOTDIR through a file, ENOENT through a missing directory), where an
 * io_uring RENAMEAT copies both names in first and answers for the new one. Found by the fs
 * differential fuzz (test/fuzz/fs-api.ts, seed 2 case 267).
 */
import { test } from 'node:test';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('rename through a file, a missing directory or a good path onto an empty or too-long name', async (t) => {
  const root = scratch(t);
  const dir = join(root, 'tree');
  const reset = (): void => {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir);
    writeFileSync(join(dir, 'file'), 'x');
  };
  const tooLong = `${dir}/${'d/'.repeat(2100)}x`;
  for (const from of ['file/x', 'missing/x', 'file', '']) {
    for (const to of ['', tooLong, Buffer.alloc(0)]) {
      const label = `rename(${from}, ${typeof to === 'string' ? to.length : 'Buffer(0)'})`;
      await sameOnBoth((fs) => fs.rename(from === '' ? '' : join(dir, from), to), reset, label);
      await sameOnBoth((fs) => fs.rename(to, from === '' ? '' : join(dir, from)), reset, `${label} reversed`);
    }
  }
});
