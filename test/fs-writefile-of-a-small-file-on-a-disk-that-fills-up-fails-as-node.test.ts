/**
 * A small writeFile (one slot's data, at most 64 KiB: on the io_uring engine its open and write
 * are two direct ring requests, fs/write-ring.ts) on a file system that fills up part-way through
 * it: the write stops short, the rest is written on from the fd's position, and the call fails
 * with ENOSPC from `write` as Node's does, the file holding the start of the data and nothing
 * else. A 16 KiB tmpfs makes the disk; 40 KiB of data gets a short write, then ENOSPC. Needs root
 * (mount). Runs on both engines (the threads engine takes the chain).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { smallTmpfs } from './helpers/small-tmpfs.js';

test('a small writeFile on a file system that fills up part-way gives ENOSPC from write, as from Node', async (t) => {
  const dir = smallTmpfs(t, '16k', 'syslet-fs-small-enospc-');
  if (dir === null) return;
  const data = Buffer.alloc(40 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i >> 10) & 0xff;
  const outcomes: Record<string, unknown> = {};
  for (const [name, fs] of [['node', nodeFs], ['syslet', sysletFs]] as const) {
    const file = join(dir, `${name}.bin`);
    const error = await fs.writeFile(file, data).then(() => null, (caught: unknown) => caught as NodeJS.ErrnoException);
    const left = readFileSync(file);
    outcomes[name] = { code: error?.code, errno: error?.errno, syscall: error?.syscall, path: error?.path, written: left.length > 0, prefix: data.subarray(0, left.length).equals(left) };
    rmSync(file);
  }
  assert.deepEqual(outcomes.syslet, outcomes.node);
  assert.deepEqual(outcomes.node, { code: 'ENOSPC', errno: -28, syscall: 'write', path: undefined, written: true, prefix: true });
});
