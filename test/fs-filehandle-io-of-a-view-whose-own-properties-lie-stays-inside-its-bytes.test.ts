/**
 * FileHandle.read/write/readv and writeFile with a view whose own `byteLength`, `byteOffset` or
 * `length` property lies. The library described such a view by those properties: a small Buffer
 * (16 bytes of a shared 8 KiB pool slab) claiming 4,096 bytes made a view past its bytes, and a
 * read then wrote over the Buffers allocated after it in the slab. Node validates by the property
 * too and then aborts the process in its binding's bounds check, so there is no Node answer to
 * compare with here: the rule is that no byte outside the caller's view is ever read or written,
 * and a count past the view is refused as Node refuses one (ERR_OUT_OF_RANGE).
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as sysletFs from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

/**
 * A 16-byte Buffer whose `name` property says `value`, and the Buffer right after it in the same
 * 8 KiB store (as Buffer.from's pool slab lays out small Buffers).
 */
function lyingNeighbours(name: 'byteLength' | 'byteOffset' | 'length', value: number): { view: Buffer; after: Buffer } {
  const slab = new ArrayBuffer(8192);
  const view = Buffer.from(slab, 16, 16);
  view.write('0123456789abcdef', 'latin1');
  const after = Buffer.from(slab, 32, 20);
  after.write('NEIGHBOUR-0123456789', 'latin1');
  Object.defineProperty(view, name, { value });
  return { view, after };
}

test('FileHandle calls and writeFile never touch bytes outside a view whose own properties lie', async (t) => {
  const dir = scratch(t, 'fs-lying-view');
  const source = join(dir, 'source.bin');
  writeFileSync(source, Buffer.alloc(8192, 0x41));
  const handle = await sysletFs.open(source, 'r+');
  try {
    const { view, after } = lyingNeighbours('byteLength', 4096);
    await assert.rejects(handle.read(view, 0, 4096, 0), { code: 'ERR_OUT_OF_RANGE' });
    assert.equal(after.toString(), 'NEIGHBOUR-0123456789', 'read: the next Buffer in the slab is untouched');
    assert.equal(view.toString('latin1', 0, 16), '0123456789abcdef');
    // Without a length, the read fills the view's real 16 bytes.
    const whole = await handle.read(view, 0, undefined, 0);
    assert.equal(whole.bytesRead, 16);
    assert.equal(after.toString(), 'NEIGHBOUR-0123456789');

    const shifted = lyingNeighbours('byteOffset', 0);
    const read = await handle.read(shifted.view, 0, 16, 0);
    assert.equal(read.bytesRead, 16);
    assert.equal(shifted.view.toString('latin1'), 'A'.repeat(16), 'the view itself was read into');
    assert.equal(shifted.after.toString(), 'NEIGHBOUR-0123456789');

    const claimed = lyingNeighbours('byteLength', 4096);
    await assert.rejects(handle.write(claimed.view, 0, 4096, 0), { code: 'ERR_OUT_OF_RANGE' });
    const written = await handle.write(claimed.view, 0, undefined, 100);
    assert.equal(written.bytesWritten, 16);
    const vectored = await handle.readv([lyingNeighbours('byteLength', 4096).view], 0);
    assert.equal(vectored.bytesRead, 16);
  } finally {
    await handle.close();
  }
  const onDisk = readFileSync(source);
  assert.equal(onDisk.length, 8192, 'no write past the 16 bytes extended the file');
  assert.equal(onDisk.toString('latin1', 100, 116), '0123456789abcdef');
  assert.equal(onDisk.toString('latin1', 116, 120), 'AAAA');

  const target = join(dir, 'target.txt');
  await sysletFs.writeFile(target, lyingNeighbours('length', 4096).view);
  assert.equal(readFileSync(target, 'latin1'), '0123456789abcdef', 'writeFile writes the view\'s own 16 bytes');
});
