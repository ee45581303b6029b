/**
 * The Promise twins read into (and write from) a view they have not seen before through a bounce
 * slot of engine memory instead of registering it: `aio.read(fd, Buffer.alloc(4096), 0)` in a
 * loop, the README's way, no longer adds and removes a region per call (shim/buffers.ts). The
 * view gets exactly the read's bytes — no more (a short read at the end of the file leaves the
 * rest of the view as it was) — for every kind of view and size up to BOUNCE_MAX_BYTES; a write
 * puts exactly the view's bytes in the file; the engine's region table does not grow with the
 * number of fresh views; a view seen again is registered as before; every slot is given back.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { addressOf } from '../engine/native/index.js';
import { BOUNCE_MAX_BYTES, bounceSlotsInUse } from '../shim/bounce-slots.js';
import { aio, aioEngine } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';

const bytesOf = (view: ArrayBufferView): Buffer => Buffer.from(view.buffer, view.byteOffset, view.byteLength);

test('fresh views of every kind and size get exactly the read\'s bytes; a short read leaves the rest as it was', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(3 * BOUNCE_MAX_BYTES);
  const { fd } = fileWith(dir, 'data', content);
  for (const size of [1, 17, 4095, 4096, 4097, 16384, BOUNCE_MAX_BYTES - 1, BOUNCE_MAX_BYTES, BOUNCE_MAX_BYTES + 1]) {
    const views: ArrayBufferView[] = [
      Buffer.alloc(size, 0xee),
      new Uint8Array(size).fill(0xee),
      new DataView(new ArrayBuffer(size + 8), 8, size),
      Buffer.alloc(size + 32, 0xee).subarray(16, 16 + size),
      new Uint8Array(new SharedArrayBuffer(size)),
    ];
    if (size % 8 === 0) views.push(new Float64Array(size / 8));
    for (const view of views) {
      const at = 1000 + size;
      assert.equal(await aio.read(fd, view, at), size, `${view.constructor.name} of ${size}`);
      assert.deepEqual(bytesOf(view), content.subarray(at, at + size), `${view.constructor.name} of ${size}: the file's bytes`);
    }
  }
  // A short read: 100 bytes before the end of the file into a fresh 4 KiB view.
  const view = Buffer.alloc(4096, 0xee);
  assert.equal(await aio.read(fd, view, content.length - 100), 100);
  assert.deepEqual(view.subarray(0, 100), content.subarray(content.length - 100));
  assert.ok(view.subarray(100).every((byte) => byte === 0xee), 'the bytes past the read are untouched');
  // At the end of the file: nothing read, nothing written.
  const past = Buffer.alloc(4096, 0xee);
  assert.equal(await aio.read(fd, past, content.length), 0);
  assert.ok(past.every((byte) => byte === 0xee));
  assert.equal(bounceSlotsInUse(), 0, 'every slot was given back');
});

test('fresh views written: the file gets exactly their bytes', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { fd, path } = fileWith(dir, 'out', '', 'w+');
  const parts = [pattern(10, 3), pattern(4096, 4), pattern(5000, 5), pattern(BOUNCE_MAX_BYTES, 6)];
  let at = 0;
  for (const part of parts) {
    const fresh = new Uint8Array(part.length);
    fresh.set(part);
    assert.equal(await aio.write(fd, fresh, at), part.length);
    at += part.length;
  }
  assert.deepEqual(readFileSync(path), Buffer.concat(parts));
  assert.equal(bounceSlotsInUse(), 0);
});

test('2,000 fresh Buffers leave the region table as it was; a view seen again is registered as before', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(8192);
  const { fd } = fileWith(dir, 'data', content);
  const memory = aioEngine().memory;
  // The first read makes the slab (one region for many slots).
  assert.equal(await aio.read(fd, Buffer.alloc(4096), 0), 4096);
  const regions = memory.size;
  for (let i = 0; i < 2000; i++) {
    const view = Buffer.alloc(4096);
    assert.equal(await aio.read(fd, view, i % 4096), 4096);
    assert.equal(view[0], content[i % 4096]);
  }
  assert.equal(memory.size, regions, 'no region per fresh Buffer');
  const reused = Buffer.alloc(4096);
  assert.equal(await aio.read(fd, reused, 0), 4096);
  assert.equal(memory.find(addressOf(reused), 4096), null, 'read once: bounced, not registered');
  assert.equal(await aio.read(fd, reused, 4096), 4096);
  assert.notEqual(memory.find(addressOf(reused), 4096), null, 'read again: registered, as a reused buffer always was');
  assert.deepEqual(reused, content.subarray(4096));
  assert.equal(bounceSlotsInUse(), 0);
});
