/**
 * copyFile from a working directory deeper than PATH_MAX copies the file, as node:fs/promises's
 * does. No cachemiss thread can start there (a Worker's bootstrap fails in uv_cwd with ERANGE:
 * test/helpers/deep-cwd.ts), and the copy_file_range atom needs one: the pool answers the chain
 * -ERANGE with stop `died` after the two opens ran on the ring. Before, the call read that as a
 * finished copy: it resolved, and dest was left empty (io_uring engine), or rejected ERANGE
 * (threads engine). Now a chain no thread took is made by node:fs/promises, as at the fd limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInDeepCwd } from './helpers/deep-cwd.js';

test('copyFile in a cwd deeper than PATH_MAX copies the bytes, as node:fs/promises does', () => {
  const { node, syslet } = runInDeepCwd(
    [['copyFile', 'src', 'dest'], ['copyFile', 'src', 'existing'], ['copyFile', 'src', 'excl', 1], ['copyFile', 'src', 'existing', 1]],
    { src: 'the source bytes', existing: 'old and longer text' },
  );
  assert.deepEqual(syslet, node);
  assert.deepEqual((node[0] as { left: unknown }).left, { src: 'the source bytes', existing: 'old and longer text', dest: 'the source bytes' });
});
