/**
 * readdir from a working directory deeper than PATH_MAX lists the directory, as
 * node:fs/promises's does. No cachemiss thread can start there (test/helpers/deep-cwd.ts), and
 * getdents64 runs on one: the pool answers the chain -ERANGE with stop `died`. Before, readdir
 * rejected with ERANGE 'scandir' (a code Node never gives there); now a chain no thread took is
 * made by node:fs/promises, as at the fd limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInDeepCwd } from './helpers/deep-cwd.js';

test('readdir in a cwd deeper than PATH_MAX lists names and Dirents, as node:fs/promises does', () => {
  const { node, syslet } = runInDeepCwd(
    [['readdir', '.'], ['readdir', 'sub'], ['readdir', 'sub', { withFileTypes: true }], ['readdir', 'missing'], ['readdir', 'file']],
    { file: 'f', sub: null, 'sub/a': 'a', 'sub/b': 'b' },
  );
  assert.deepEqual(syslet, node);
  assert.deepEqual((node[1] as { outcome: unknown }).outcome, { ok: ['a', 'b'] });
});
