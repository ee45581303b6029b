/**
 * aio_read/aio_write check aio_nbytes against the length of the view given as aio_buf as it is
 * when the request is submitted, for every kind of view: a Buffer, another typed array, a
 * DataView (read through its own length getter, not a typed array's), and a view whose store
 * has been detached since it was assigned (length 0: any aio_nbytes > 0 is EINVAL, nothing is
 * read into memory that is gone; a detached DataView made aio_read throw a TypeError, as its
 * byteLength getter does, instead of failing with EINVAL). The submission reads the length through the intrinsic getters
 * rather than `view.byteLength`, which V8 made a generic property load on every request.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS, EINVAL, errno } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';

function settle(cb: Aiocb): [number, number] {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
  return [aio_error(cb), aio_return(cb)];
}

test('a DataView, a Float64Array and a Buffer: aio_nbytes up to the view length reads, one byte more is EINVAL', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(64);
  const { fd } = fileWith(dir, 'data', content);
  const store = new ArrayBuffer(64);
  const views: ArrayBufferView[] = [new DataView(store, 8, 16), new Float64Array(new ArrayBuffer(64), 16, 2), Buffer.alloc(24)];
  for (const view of views) {
    const name = view.constructor.name;
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: view, aio_nbytes: view.byteLength + 1, aio_offset: 0 });
    assert.equal(aio_read(cb), -1, `${name}: one byte past the view`);
    assert.equal(errno(), EINVAL, name);
    cb.aio_nbytes = view.byteLength;
    assert.equal(aio_read(cb), 0, name);
    assert.deepEqual(settle(cb), [0, view.byteLength], name);
    assert.deepEqual(Buffer.from(view.buffer, view.byteOffset, view.byteLength), content.subarray(0, view.byteLength), `${name}: its own bytes were read into`);
  }
  assert.deepEqual(Buffer.from(store, 0, 8), Buffer.alloc(8), 'the DataView\'s store before the view is untouched');
  assert.deepEqual(Buffer.from(store, 24), Buffer.alloc(40), 'and after it');
});

test('a typed array or DataView whose store was detached after it was assigned: EINVAL (not a throw), its old length is not used', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { fd } = fileWith(dir, 'data', pattern(64));
  for (const make of [(store: ArrayBuffer) => new Uint8Array(store), (store: ArrayBuffer) => new DataView(store)]) {
    const store = new ArrayBuffer(32);
    const view = make(store);
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: view, aio_nbytes: 32, aio_offset: 0 });
    structuredClone(store, { transfer: [store] });
    assert.equal(store.byteLength, 0, 'detached');
    assert.equal(aio_read(cb), -1, `${view.constructor.name}: detached`);
    assert.equal(errno(), EINVAL);
  }
});

test('a store a request has used cannot be detached: a transfer clones it and the next request reads into it', (t) => {
  // The engine marks the ArrayBuffers it registers untransferable (engine/memory.ts keepAttached):
  // a store transferred and collected while a request wrote into it corrupted the heap.
  const dir = tempDir();
  t.after(dir.cleanup);
  const { fd } = fileWith(dir, 'data', pattern(64));
  for (const make of [(store: ArrayBuffer) => new Uint8Array(store), (store: ArrayBuffer) => new DataView(store)]) {
    const store = new ArrayBuffer(32);
    const view = make(store);
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: view, aio_nbytes: 32, aio_offset: 0 });
    assert.equal(aio_read(cb), 0);
    assert.deepEqual(settle(cb), [0, 32]);
    const moved = structuredClone(store, { transfer: [store] });
    assert.equal(store.byteLength, 32, 'still attached');
    assert.deepEqual(new Uint8Array(moved), new Uint8Array(store), 'the receiver got a copy');
    new Uint8Array(store).fill(0);
    assert.equal(aio_read(cb), 0, `${view.constructor.name}: read again`);
    assert.deepEqual(settle(cb), [0, 32]);
    assert.deepEqual(Buffer.from(store), pattern(64).subarray(0, 32));
  }
});
