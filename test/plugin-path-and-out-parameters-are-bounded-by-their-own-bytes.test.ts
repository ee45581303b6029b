/**
 * "Every area is its own bound" (docs/plugins.md): a length that runs past the area a pointer
 * names is -EFAULT. A `path` parameter's area is its bytes and NUL, an `out` parameter's "that many
 * zeroed bytes". Found by the plugins fuzz (test/fuzz/plugins.ts --known, seed 7, cases 129, 206,
 * 214): the bound was the pooled block the parameter was given (plugins/run-memory.ts take(): a
 * power of two, 64 bytes at least, segments of `period: size`), and only the parameter's own bytes
 * were written, at its start (plugins/instance.ts #bindPath, #bindOut), so
 * - F3: write(fd, path, 64) with path 'x' writes 'x', NUL and 62 bytes an EARLIER RUN left in the
 *   block — here the file contents another plugin's pread64 read into its `out` parameter: one
 *   request's data leaks into another's write;
 * - F1: pread64(fd, out, 64) into a 10-byte `out` parameter answers 64 and writes 54 bytes past it
 *   (into the block, never returned).
 * The same holds for an empty `in` parameter (a 1-byte block of 64).
 *
 * Fixed in session 20: a parameter's bytes end where its block ends (plugins/run-memory.ts
 * tailOffset), so the block's own bound is the parameter's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin } from '../index.js';

const EFAULT = -14;
const reader = definePlugin({
  name: 'test.boundReader',
  params: { fd: 'fd', buf: 'out', count: 'size' },
  atoms: [{ id: 'read', call: 'pread64', args: [{ param: 'fd' }, { param: 'buf' }, { param: 'count' }, 0] }],
});
const echo = definePlugin({
  name: 'test.boundEcho',
  params: { fd: 'fd', name: 'path' },
  atoms: [{ id: 'write', call: 'write', args: [{ param: 'fd' }, { param: 'name' }, 64] }],
});

test('a write past a path parameter\'s NUL is -EFAULT, and never sends an earlier run\'s bytes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-bound-'));
  const engine = new Engine();
  const secret = openSync(join(dir, 'secret'), 'w+');
  const out = openSync(join(dir, 'out'), 'w+');
  try {
    writeFileSync(join(dir, 'secret'), 'SECRET-'.repeat(20));
    assert.equal((await reader.run(engine, { fd: secret, buf: 64, count: 64 })).byId.read.result, 64);
    const outcome = await echo.run(engine, { fd: out, name: 'x' });
    assert.doesNotMatch(readFileSync(join(dir, 'out'), 'latin1'), /SECRET|CRET/, 'no byte of the earlier run reached the file');
    assert.equal(outcome.byId.write.result, EFAULT, '64 bytes from a 2-byte path is past its area');
  } finally {
    closeSync(secret);
    closeSync(out);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a read past an out parameter\'s byte count is -EFAULT', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-bound-'));
  const engine = new Engine();
  writeFileSync(join(dir, 'data'), 'd'.repeat(200));
  const fd = openSync(join(dir, 'data'), 'r');
  try {
    assert.equal((await reader.run(engine, { fd, buf: 10, count: 10 })).byId.read.result, 10, 'within the area');
    assert.equal((await reader.run(engine, { fd, buf: 10, count: 64 })).byId.read.result, EFAULT, '64 bytes into 10');
  } finally {
    closeSync(fd);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
