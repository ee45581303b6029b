/**
 * readFile with an encoding, of a file whose string would be longer than V8's longest
 * (0x1fffffe8 characters): node:fs/promises rejects with a RangeError ('Invalid string length',
 * no code); syslet-aio/fs must reject with the same error, so that code which tells a too-large
 * file apart by `instanceof RangeError` (or by the absence of a code) works after the switched
 * import. The file is sparse: 'hex' doubles each byte, so 257 MiB are enough, and nothing is
 * written to disk; each read holds the file's 257 MiB once, one implementation at a time.
 *
 * hunt27 (session 27), Node 20.20.2: 'utf8', 'latin1' and 'hex' of a 600 MiB sparse file, and
 * 'hex' here: node:fs/promises `RangeError: Invalid string length` (code undefined);
 * syslet-aio/fs `Error [ERR_STRING_TOO_LONG]: Cannot create a string longer than 0x1fffffe8
 * characters` (buffer.toString's own error) — both engines, every run. Fixed in session 27
 * (fs/errors.ts wholeString).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, errorShape, scratch, settle } from './helpers/fs-implementations.js';

const MiB = 1024 * 1024;

test("readFile(file, 'hex') of a file whose string would pass V8's longest rejects with node:fs/promises's error", async (t) => {
  const file = join(scratch(t, 'fs-long-string'), 'sparse');
  const fd = openSync(file, 'w');
  ftruncateSync(fd, 257 * MiB);
  closeSync(fd);
  const shapes: Record<string, unknown> = {};
  for (const { name, fs } of IMPLEMENTATIONS) {
    const outcome = await settle(() => fs.readFile(file, 'hex'));
    assert.equal(outcome.ok, false, `${name}: a 514 Mi-character string cannot be made`);
    if (!outcome.ok) {
      shapes[name] = { ...errorShape(outcome.error), isRangeError: outcome.error instanceof RangeError };
    }
  }
  const [first, second] = IMPLEMENTATIONS;
  assert.ok(first && second);
  assert.deepStrictEqual(shapes[second.name], shapes[first.name]);
});
