/**
 * A program (a test's teardown, say) closes syslet-aio/fs's shared engine. Every later call of
 * the module then failed with ESHUTDOWN for the life of the process (hunt28). The calls already in
 * flight and the handles opened on the closed engine still fail so — that engine is gone — but
 * the next call makes a new shared engine, and works.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sfs from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

test('a shared engine the program closed is replaced on the next call', async (t) => {
  const dir = scratch(t, 'shared-closed');
  const file = join(dir, 'data.txt');
  writeFileSync(file, 'hello');
  const first = sfs.sharedEngine();
  assert.equal(await sfs.readFile(file, 'utf8'), 'hello');
  const handle = await sfs.open(file);
  await first.close();
  await assert.rejects(handle.read(Buffer.alloc(5), 0, 5, 0), { code: 'ESHUTDOWN' }, 'a handle of the closed engine');
  assert.equal(await sfs.readFile(file, 'utf8'), 'hello', 'the next call works');
  const second = sfs.sharedEngine();
  assert.notEqual(second, first);
  assert.equal(sfs.sharedEngine(), second, 'the same object until it is closed');
  assert.equal((await sfs.stat(file)).size, 5);
  await handle.close().catch(() => {});
});
