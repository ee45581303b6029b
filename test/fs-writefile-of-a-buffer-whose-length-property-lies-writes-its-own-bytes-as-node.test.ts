/**
 * writeFile and appendFile of a Buffer whose `length` is shadowed by an own property (or a
 * subclass getter) that claims more bytes than the view has. Node writes the view's real bytes
 * (its native layer reads the view's internal length). syslet-aio/fs took `bytes.length` as the
 * count: the data is copied into the request slot with TypedArray#set (the real 16 bytes) and
 * then `length` bytes of the slot are written — the rest of the slot, i.e. what earlier requests
 * left there (hunt28: an earlier readFile's file contents ended up in the written file). Past the
 * slot's size the write answers EFAULT.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { IMPLEMENTATIONS, scratch } from './helpers/fs-implementations.js';

const REAL = 'hello, world....';
const CLAIMED = 4096;
const SECRET = 'TOPSECRET-'.repeat(400);

/** lyingBuffer - a 16-byte Buffer whose `length` property says CLAIMED. */
function lyingBuffer(): Buffer {
  const view = Buffer.from(REAL);
  Object.defineProperty(view, 'length', { value: CLAIMED });
  return view;
}

test('writeFile and appendFile of a Buffer whose length property lies write its own bytes, as Node', async (t) => {
  for (const { name, fs } of IMPLEMENTATIONS) {
    const dir = scratch(t, 'fs-lying-length');
    const secretFile = join(dir, 'secret.txt');
    writeFileSync(secretFile, SECRET);
    // Another request goes through the engine first, as in any program.
    await fs.readFile(secretFile);
    for (const call of ['writeFile', 'appendFile'] as const) {
      const target = join(dir, `${call}.txt`);
      await fs[call](target, lyingBuffer());
      const written = readFileSync(target, 'latin1');
      assert.ok(!written.includes('TOPSECRET'), `${name} ${call}: nothing of another request's data is written`);
      assert.equal(written, REAL, `${name} ${call}: the view's 16 bytes are written`);
    }
  }
});
