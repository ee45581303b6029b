/**
 * realpath of a path the kernel refuses whole (PATH_MAX bytes or more) answers as
 * node:fs/promises's does. Node's realpath is glibc's realpath(3), which looks the path up a
 * component at a time, so './' 2,048 times and then 'f' (4,097 bytes) names 'f', and '/a/' 2,100
 * times is ENOENT at its first missing component; syslet-aio/fs opened the whole path (openat2,
 * then a chain) and answered ENAMETOOLONG for both. Also a name of 256 bytes (past NAME_MAX), a
 * long absolute path through the test's directory, and a burst of them (realpath's batches).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { IMPLEMENTATIONS } from './helpers/fs-implementations.js';

test('realpath of paths of PATH_MAX bytes or more answers as node:fs/promises does', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'syslet-realpath-long-'));
  const cwd = process.cwd();
  try {
    await writeFile(join(dir, 'f'), 'f');
    process.chdir(dir);
    const paths = ['./'.repeat(2047) + 'f', './'.repeat(2048) + 'f', '/' + 'a/'.repeat(2100), `${dir}/${'./'.repeat(2040)}f`, 'n'.repeat(256), `${dir}/${'./'.repeat(2040)}missing`];
    const answers: Record<string, unknown[]> = {};
    for (const { name, fs } of IMPLEMENTATIONS) {
      const outcome = async (path: string): Promise<unknown> => fs.realpath(path).then((value) => ({ value }), (error: NodeJS.ErrnoException) => ({ code: error.code, syscall: error.syscall, path: error.path, message: error.message }));
      answers[name] = [...(await Promise.all(paths.map(outcome))), await Promise.all(Array.from({ length: 20 }, () => outcome(paths[1] as string)))];
    }
    assert.deepEqual(answers['syslet-aio/fs'], answers['node:fs/promises']);
    assert.deepEqual(answers['node:fs/promises']?.[1], { value: join(dir, 'f') });
  } finally {
    process.chdir(cwd);
    await rm(dir, { recursive: true });
  }
});
