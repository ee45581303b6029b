/**
 * readFile of a directory from a working directory deeper than PATH_MAX rejects with EISDIR, as
 * node:fs/promises's does. No cachemiss thread can start there (test/helpers/deep-cwd.ts): the
 * pool answers each chain that needs one -ERANGE in the atom it would have run, stop `died`.
 * file.readMore's pread64 is such an atom; plugins/reader-rest.ts readMoreAt looks only at the
 * `read` atom (NOT_EXECUTED) and the offset cell (unchanged), so it reports 0 bytes, no error,
 * not finished, and readRest's loop submitted the next chain at once, for ever: the call never
 * settled and the process spun a core (both engines). Fixed in session 20: a file.readMore chain
 * that stopped before its read is an error (the pool's, marked unserved), and syslet-aio/fs's
 * readFile then makes Node's call, as at the fd limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInDeepCwd } from './helpers/deep-cwd.js';

test('readFile of a directory in a cwd deeper than PATH_MAX rejects EISDIR, as node:fs/promises does', () => {
  const { node, syslet } = runInDeepCwd([['readFile', 'sub'], ['readFile', 'sub', 'utf8']], { sub: null });
  assert.deepEqual(syslet, node);
  assert.equal((node[0] as { outcome: { code: string } }).outcome.code, 'EISDIR');
});
