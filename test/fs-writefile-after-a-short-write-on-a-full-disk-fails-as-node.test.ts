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
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';

function mountSmallTmpfs(dir: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'ignore' });
    return null;
  } catch (error) {
    return `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0] ?? ''}): needs root`;
  }
}

test('a file system that fills up part-way through writeFile gives ENOSPC, as from Node', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fs-enospc-'));
  const refused = process.getuid?.() === 0 ? mountSmallTmpfs(dir) : 'not root: cannot mount a tmpfs';
  if (refused !== null) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(refused);
    return;
  }
  t.after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
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
