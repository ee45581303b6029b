/**
 * readFile of a file that changes size while it is read, on node:fs/promises and on
 * syslet-aio/fs: the same bytes. Node sizes its read from fstat and stops there, or earlier at a
 * read that returns 0. syslet-aio/fs reads with pread64 at the count read so far, and a pread64
 * that reads nothing is confirmed by read(2) from the same offset: a shrunk file ends where its
 * data ends, a grown one at the size fstat gave.
 *
 * The change is made from the AbortSignal's `aborted` getter, which both implementations read
 * at the same points (before the open, before and after fstat, before each later read): the
 * third read is after fstat, when syslet-aio/fs has read its first 64 KiB slot and Node has read
 * nothing yet. The file is 200 KiB and shrinks to 100 KiB, so both have bytes left to read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { appendFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

const SIZE = 200 * 1024;

/** A signal-shaped object whose third `aborted` read runs `change` (and which never aborts). */
function changingOnThirdCheck(change: () => void): { readonly aborted: boolean; checks: number } {
  return {
    checks: 0,
    get aborted() {
      if (++this.checks === 3) change();
      return false;
    },
  };
}

for (const [what, change, expected] of [
  ['shrinks to 100 KiB', (file: string) => truncateSync(file, 100 * 1024), (bytes: Buffer) => bytes.subarray(0, 100 * 1024)],
  ['grows by 50 KiB', (file: string) => appendFileSync(file, randomBytes(50 * 1024)), (bytes: Buffer) => bytes],
] as const) {
  test(`a file that ${what} after fstat reads as Node reads it`, async (t) => {
    const dir = scratch(t);
    for (const { name, fs } of IMPLEMENTATIONS) {
      const file = join(dir, `${name.replace(/\W/g, '-')}.bin`);
      const bytes = randomBytes(SIZE);
      writeFileSync(file, bytes);
      const signal = changingOnThirdCheck(() => change(file));
      const got = await fs.readFile(file, { signal: signal as unknown as AbortSignal });
      assert.ok(signal.checks >= 3, `${name}: the change was made (${signal.checks} checks)`);
      assert.ok(got.equals(expected(bytes)), `${name}: ${got.length} bytes, expected ${expected(bytes).length}`);
    }
  });
}
