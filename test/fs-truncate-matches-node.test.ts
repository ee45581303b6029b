/**
 * truncate, on node:fs/promises and on syslet-aio/fs: the same length left, the same errors
 * (the open's with the path, ftruncate's without it). Ported from Node's test-fs-promises.js
 * ("truncate file to specified length") and test-fs-truncate.js (a negative length is 0, a
 * non-integer length is ERR_OUT_OF_RANGE after the open).
 */
import { test } from 'node:test';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sameOnBoth, scratch } from './helpers/fs-implementations.js';

test('truncate to shorter, longer, zero, a negative length; errors of the path and of the length', async (t) => {
  const dir = scratch(t);
  const file = join(dir, 'file');
  const reset = () => writeFileSync(file, 'hello FileHandle');
  for (const len of [5, 100, 0, undefined, -3]) {
    await sameOnBoth(async (fs) => {
      await fs.truncate(file, len);
      return readFileSync(file);
    }, reset, `len ${String(len)}`);
  }
  await sameOnBoth((fs) => fs.truncate(file, 1.5), reset);
  await sameOnBoth((fs) => fs.truncate(file, '5' as never), reset);
  await sameOnBoth((fs) => fs.truncate(join(dir, 'missing'), 1), reset);
  mkdirSync(join(dir, 'sub'));
  await sameOnBoth((fs) => fs.truncate(join(dir, 'sub'), 1), reset);
  await sameOnBoth((fs) => fs.truncate('/dev/null', 0), reset);
});
