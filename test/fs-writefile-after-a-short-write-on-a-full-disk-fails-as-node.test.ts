/**
 * writeFile on a file system that fills up part-way through a file fails with ENOSPC, as from
 * Node, and never reports success. syslet-aio/fs writes with pwrite64 at the count written; when
 * one fails it makes the chunk again with write(2), after an lseek to that count: a write(2) at
 * the position the pwrites left at 0 would overwrite the start of the file (which needs no new
 * blocks on a full disk, so it succeeds) and go on as if the chunk had been written. A 64 KiB
 * tmpfs makes the disk; 256 KiB of data gets a short write and then ENOSPC. Needs root (mount).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { smallTmpfs } from './helpers/small-tmpfs.js';

test('a file system that fills up part-way through writeFile gives ENOSPC, as from Node', async (t) => {
  const dir = smallTmpfs(t, '64k', 'syslet-fs-enospc-');
  if (dir === null) return;
  const data = Buffer.alloc(256 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i >> 12) & 0xff;
  const outcomes: Record<string, unknown> = {};
  for (const [name, fs] of [['node', nodeFs], ['syslet', sysletFs]] as const) {
    const file = join(dir, `${name}.bin`);
    const error = await fs.writeFile(file, data).then(() => null, (caught: unknown) => caught as NodeJS.ErrnoException);
    const left = readFileSync(file);
    // What was written is the start of the data: nothing landed anywhere else.
    outcomes[name] = { code: error?.code, syscall: error?.syscall, prefix: data.subarray(0, left.length).equals(left) };
    rmSync(file);
  }
  assert.deepEqual(outcomes.syslet, outcomes.node);
  assert.deepEqual(outcomes.node, { code: 'ENOSPC', syscall: 'write', prefix: true });
});
