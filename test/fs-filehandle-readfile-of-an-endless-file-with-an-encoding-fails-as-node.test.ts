/**
 * FileHandle.readFile with an encoding on a file that never ends (/dev/zero): Node decodes as it
 * reads, and its string passes V8's longest before its read limit: it rejects with V8's
 * RangeError "Invalid string length" (no code). syslet-aio/fs read to its limit (2 GiB) and
 * rejected with a SyscallError EFBIG: a different error class for the same call (found by the
 * fs differential fuzz, seed 1865515, session 18). Run against both implementations: Node reads
 * 512 MiB of zeros before its string is too long, syslet-aio/fs reads to its 2 GiB limit (about
 * 2.2 GB of RSS, 2 s), so one encoding only. A regular file keeps Node's other answers (its size
 * checked first, ERR_STRING_TOO_LONG from toString): only a file of no size is answered so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as nodeFs from 'node:fs/promises';
import * as sysletFs from '../fs.js';

for (const [name, fs] of [['node:fs/promises', nodeFs], ['syslet-aio/fs', sysletFs]] as const) {
  test(`${name}: FileHandle.readFile('latin1') of /dev/zero rejects with RangeError Invalid string length`, { timeout: 120_000 }, async () => {
    const handle = await fs.open('/dev/zero', 'r');
    try {
      const error = await handle.readFile('latin1').then(
        () => assert.fail('an endless file was read whole'),
        (reason: unknown) => reason,
      );
      assert.ok(error instanceof RangeError, `a RangeError, got ${String(error)}`);
      assert.equal(error.message, 'Invalid string length');
      assert.deepEqual(Object.keys(error), []);
    } finally {
      await handle.close();
    }
  });
}
