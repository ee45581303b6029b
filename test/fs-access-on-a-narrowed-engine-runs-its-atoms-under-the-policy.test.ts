/**
 * access of a cached path makes its three calls (openat2 with RESOLVE_CACHED, faccessat2 on the
 * O_PATH fd, close) directly on the calling thread only when the engine's policy allows openat,
 * faccessat2 and close; an engine narrowed with `allow` keeps seeing them as the fs.access
 * chain's atoms: what it did not allow is denied and reported to its onDeny, never made behind
 * its back, and the caller gets the denial in Node's error shape (EPERM, syscall access).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, statSync } from 'node:fs';
import { fsAccess } from '../fs/chains.js';
import { narrowedFs } from './helpers/narrowed-fs.js';

test('a narrowed engine without faccessat2 sees access\'s faccessat2 denied and the call fails with EPERM', async (t) => {
  const { file, engine, denials, fs } = narrowedFs(t, ['openat', 'close']);
  await assert.rejects(fs.access(file, constants.R_OK), { code: 'EPERM', syscall: 'access', path: file });
  assert.deepEqual(denials.map((record) => record.name), ['faccessat2'], 'the faccessat2 went through the policy');
  assert.equal(fsAccess.poolStats(engine).slabs, 1, 'fs.access ran on the engine');
});

test('an engine that allows openat, faccessat2 and close answers access of a cached path without the fs.access chain', async (t) => {
  const { file, engine, denials, fs } = narrowedFs(t, ['openat', 'faccessat2', 'close'], 0o444);
  // Looked up once, so that the dcache holds the name.
  statSync(file);
  assert.equal(await fs.access(file, constants.R_OK), undefined);
  assert.equal(await fs.access(file), undefined);
  assert.deepEqual(denials, []);
  assert.equal(fsAccess.poolStats(engine).slabs, 0);
});
