/**
 * A FileHandle call made after its engine closed rejects with ESHUTDOWN (docs/fs.md, "One engine
 * per process"), a large write too: such a write to a regular file is node:fs's own
 * (fs/write-node.ts), which needs no engine and would have written — unlike a small write on the
 * same handle. The file is left as it was, and the handle still closes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

test('small and large writes and writevs on a handle whose engine closed reject with ESHUTDOWN and write nothing', async (t) => {
  const file = join(scratch(t, 'fs-write-after-close'), 'out');
  writeFileSync(file, 'kept');
  const engine = new Engine();
  const fs = createFs(engine);
  const handle = await fs.open(file, 'r+');
  await engine.close();
  const large = Buffer.alloc(200_000, 0x61);
  for (const [name, call] of [
    ['a small write', () => handle.write(Buffer.from('xy'), 0, 2, 0)],
    ['a large write at a position', () => handle.write(large, 0, large.length, 0)],
    ['a large write at the file position', () => handle.write(large)],
    ['a large writev', () => handle.writev([large, large], 0)],
  ] as const) {
    await assert.rejects(call(), { code: 'ESHUTDOWN' }, name);
  }
  await handle.close();
  assert.equal(readFileSync(file, 'utf8'), 'kept');
});
