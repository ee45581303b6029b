/**
 * FileHandle.readFile of a regular file over 2 GiB rejects with Node's RangeError
 * ERR_FS_FILE_TOO_LARGE ("File size (N) is greater than 2 GiB"), as node:fs/promises's handle
 * does: Node's readFileHandle checks st_size against kIoMaxLength before reading. syslet-aio/fs's
 * rejected with a plain Error EFBIG 'read' (its reader's own limit), so code written against
 * Node's error (`error.code === 'ERR_FS_FILE_TOO_LARGE'`) missed it. The path form of readFile
 * already answered as Node. A sparse file: nothing is read, on either side.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { truncate } from 'node:fs/promises';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

test('FileHandle.readFile of a 3 GiB sparse file rejects ERR_FS_FILE_TOO_LARGE, as node:fs/promises does', async (t) => {
  const dir = scratch(t, 'fh-readfile-too-large');
  const file = join(dir, 'sparse');
  await truncate(file, 0).catch(() => undefined);
  const outcomes: Record<string, unknown> = {};
  for (const { name, fs } of IMPLEMENTATIONS) {
    await fs.writeFile(file, '');
    await truncate(file, 3 * 2 ** 30);
    const seen: unknown[] = [];
    for (const options of [undefined, 'utf8', { encoding: 'latin1' }] as const) {
      const handle = await fs.open(file);
      try {
        await handle.readFile(options as undefined).then(() => seen.push('resolved'), (error: NodeJS.ErrnoException) => {
          seen.push({ class: error.constructor.name, name: error.name, code: error.code, errno: error.errno, syscall: error.syscall, message: error.message, string: String(error), keys: Object.keys(error) });
        });
      } finally {
        await handle.close();
      }
    }
    outcomes[name] = seen;
  }
  assert.deepEqual(outcomes['syslet-aio/fs'], outcomes['node:fs/promises']);
  assert.equal((outcomes['node:fs/promises'] as { code: string }[])[0]?.code, 'ERR_FS_FILE_TOO_LARGE');
});
