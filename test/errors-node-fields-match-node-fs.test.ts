// nodeErrorFields speaks as node:fs does: the same errno sign, code, syscall, path, dest and
// message as the errors node:fs/promises throws for the same failures (the oracle is Node itself).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, open, rename, rmdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { nodeErrorFields } from '../engine/errors.js';

async function nodeFailure(action: () => Promise<unknown>): Promise<NodeJS.ErrnoException> {
  try {
    await action();
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('the action was expected to fail');
}

interface ErrorLike { errno?: number; code?: string; syscall?: string; path?: string; dest?: string; message: string }

function pick(error: ErrorLike): ErrorLike {
  return { errno: error.errno, code: error.code, syscall: error.syscall, path: error.path, dest: error.dest, message: error.message };
}

test('nodeErrorFields gives the fields and message node:fs gives for open, rename and rmdir failures', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'syslet-errors-'));
  const missing = path.join(dir, 'missing');
  const open404 = await nodeFailure(() => open(missing, 'r'));
  assert.deepEqual(pick(nodeErrorFields(2, 'open', missing)), pick(open404));
  const renamed = await nodeFailure(() => rename(missing, path.join(dir, 'b')));
  assert.deepEqual(pick(nodeErrorFields(-2, 'rename', missing, path.join(dir, 'b'))), pick(renamed));
  await rmdir(dir);
  const notDir = await nodeFailure(() => rmdir(dir));
  assert.deepEqual(pick(nodeErrorFields(notDir.errno ?? 0, 'rmdir', dir)), pick(notDir));
});

test('an errno libuv does not name still gets a code and the kernel message', () => {
  const fields = nodeErrorFields(-133, 'read'); // EHWPOISON: not in libuv's table
  assert.equal(fields.errno, -133);
  assert.equal(fields.code, 'EHWPOISON');
  assert.match(fields.message, /^EHWPOISON: .+, read$/);
});
