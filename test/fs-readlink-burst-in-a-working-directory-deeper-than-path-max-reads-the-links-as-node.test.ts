/**
 * A burst of readlinks from a working directory deeper than PATH_MAX reads the links, as
 * node:fs/promises's does. From the 4th call of a turn a share of the readlinks go in batches to
 * a cachemiss thread (fs/link-burst.ts); none can start there (test/helpers/deep-cwd.ts), and the
 * pool answers the batch's first open -ERANGE, stop `died`. Before, that entry rejected with
 * ERANGE (and the burst's Promise.all with it) where Node's read the links; now the entries of a
 * batch no thread ended are answered inline. realpath's batches share the code.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInDeepCwd } from './helpers/deep-cwd.js';

test('40 readlinks at once in a cwd deeper than PATH_MAX read the links, as node:fs/promises does', () => {
  const { node, syslet } = runInDeepCwd([['readlink*40', 'link'], ['readlink*40', 'missing'], ['readlink*40', 'file']], { file: 'f', link: { symlink: 'file' } });
  assert.deepEqual(syslet, node);
  assert.deepEqual((node[0] as { outcome: unknown }).outcome, { ok: Array.from({ length: 40 }, () => 'file') });
});
