/**
 * FileHandle.read at the file position with `length` an object whose valueOf answers 4 twice and
 * 4000 after (a value that changes between reads of it, as a getter or a proxy can). Node itself
 * aborts on a non-number length (`Assertion failed: args[3]->IsInt32()` in node_file.cc, Node 20
 * and 22), so there is no Node answer to match; whatever syslet-aio/fs answers must hold
 * together. hunt28: it coerced the length three times — checked against the 8-byte buffer twice,
 * used once — and resolved `bytesRead: 4000` for the 8-byte buffer: 4,000 bytes were read from
 * the file (its position moved to 4000) and 8 delivered, so 3,992 bytes were lost to the caller.
 * (Past 64 KiB the read answers EFAULT: the engine's confinement.) Expected: the length is read
 * once, or refused; bytesRead never exceeds the buffer and the file position moves by bytesRead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

test('FileHandle.read with a length object that changes never reports more than the buffer holds', async (t) => {
  const dir = scratch(t, 'fs-length-object');
  const file = join(dir, 'data');
  const data = randomBytes(16384);
  writeFileSync(file, data);
  const handle = await sysletFs.open(file, 'r');
  try {
    let calls = 0;
    const length = { valueOf: () => (++calls <= 2 ? 4 : 4000) };
    const buffer = Buffer.alloc(8);
    let bytesRead: number;
    try {
      ({ bytesRead } = await handle.read(buffer, 0, length as unknown as number, null));
    } catch (error) {
      // Refusing the object is a fine answer too.
      assert.ok(error instanceof TypeError || error instanceof RangeError, `a refusal is a TypeError or RangeError: ${String(error)}`);
      return;
    }
    assert.ok(bytesRead <= buffer.length, `bytesRead (${bytesRead}) is at most the buffer's ${buffer.length} bytes`);
    assert.deepEqual(buffer.subarray(0, bytesRead), data.subarray(0, bytesRead), 'the bytes reported are the file\'s first bytes');
    const next = Buffer.alloc(4);
    await handle.read(next, 0, 4, null);
    assert.deepEqual(next, data.subarray(bytesRead, bytesRead + 4), 'the next read at the file position goes on where this one ended');
  } finally {
    await handle.close();
  }
});
