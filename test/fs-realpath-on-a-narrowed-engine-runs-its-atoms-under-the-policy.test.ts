/**
 * realpath reads /proc/self/fd/N and closes the O_PATH fd with direct calls on the calling thread
 * only when the engine's policy allows both; an engine narrowed with `allow` keeps seeing them as
 * atoms (fs.fdPath): what it did not allow is denied and reported to its onDeny, never made
 * behind its back, and the caller still gets Node's answer (realpath then falls back to it).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import type { TraceRecord } from '../engine/policy.js';
import { createFs } from '../fs/index.js';
import { fsFdPath } from '../fs/links.js';
import { scratch } from './helpers/fs-implementations.js';

test('a narrowed engine without readlinkat sees realpath\'s readlinkat denied, and the answer is Node\'s', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'data');
  symlinkSync('file', join(dir, 'link'));
  const denials: TraceRecord[] = [];
  const engine = new Engine({ allow: ['openat', 'close'], onDeny: (record) => denials.push(record) });
  t.after(() => engine.close());
  const fs = createFs(engine);
  assert.equal(await fs.realpath(join(dir, 'link')), realpathSync(join(dir, 'link')));
  assert.deepEqual(denials.map((record) => record.name), ['readlinkat'], 'the readlinkat went through the policy');
  assert.equal(fsFdPath.poolStats(engine).slabs, 1, 'fs.fdPath ran on the engine');
});

test('an engine that allows readlinkat and close answers realpath without the fs.fdPath chain', async (t) => {
  const dir = scratch(t);
  writeFileSync(join(dir, 'file'), 'data');
  symlinkSync('file', join(dir, 'link'));
  const denials: TraceRecord[] = [];
  const engine = new Engine({ allow: ['openat', 'readlinkat', 'close'], onDeny: (record) => denials.push(record) });
  t.after(() => engine.close());
  const fs = createFs(engine);
  assert.equal(await fs.realpath(join(dir, 'link')), realpathSync(join(dir, 'link')));
  assert.deepEqual(denials, []);
  assert.equal(fsFdPath.poolStats(engine).slabs, 0);
});
