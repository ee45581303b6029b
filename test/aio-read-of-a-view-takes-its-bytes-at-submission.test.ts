/**
 * A request on a view (aio.read's buffer, or a view given as aio_buf) covers the view's bytes as
 * they are when it is submitted, whatever an earlier request on the same view saw: a
 * length-tracking view of a resizable ArrayBuffer that grew is read whole (its registration used
 * to cover the old length only, and the read failed with EFAULT), one that shrank is read to its
 * new end, and a typed array whose store was detached is a read of 0 bytes (resolves 0) through
 * the Promise twins. The twins hand the view to the request directly (no aio_buf/aio_nbytes/
 * aio_offset/aio_reqprio round trip through a pooled aiocb's struct), and still refuse a
 * reqprio that is not a 32-bit integer (TypeError) or outside 0..20 (AioError EINVAL).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Aiocb, aio, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS, isAioError } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';

/** A resizable ArrayBuffer (ES2024; Node >= 20), typed here as the lib in use may not know it. */
interface ResizableStore extends ArrayBuffer {
  resize(byteLength: number): void;
}

function resizable(byteLength: number, maxByteLength: number): ResizableStore {
  const Constructor = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => ResizableStore;
  return new Constructor(byteLength, { maxByteLength });
}

function settle(cb: Aiocb): [number, number] {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
  return [aio_error(cb), aio_return(cb)];
}

test('aio.read on a length-tracking view: the length it has now, grown or shrunk since the last read', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(16384);
  const { fd } = fileWith(dir, 'data', content);
  const store = resizable(8192, 16384);
  const view = new Uint8Array(store);
  assert.equal(await aio.read(fd, view, 0), 8192);
  store.resize(4096);
  assert.equal(await aio.read(fd, view, 4096), 4096, 'shrunk');
  assert.deepEqual(Buffer.from(view), content.subarray(4096, 8192));
  store.resize(12288);
  assert.equal(await aio.read(fd, view, 0), 12288, 'grown: the new bytes are covered too');
  assert.deepEqual(Buffer.from(view), content.subarray(0, 12288));
});

test('aio_read on a length-tracking view given as aio_buf, grown after it was assigned: read whole', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(16384);
  const { fd } = fileWith(dir, 'data', content);
  const store = resizable(4096, 16384);
  const view = new Uint8Array(store);
  const cb = new Aiocb({ aio_fildes: fd, aio_buf: view, aio_offset: 0 });
  assert.equal(aio_read(cb), 0);
  assert.deepEqual(settle(cb), [0, 4096]);
  store.resize(16384);
  cb.aio_nbytes = 16384;
  assert.equal(aio_read(cb), 0);
  assert.deepEqual(settle(cb), [0, 16384]);
  assert.deepEqual(Buffer.from(view), content);
});

test('aio.read on a typed array detached after a read resolves 0; a bad reqprio is refused as before', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { fd } = fileWith(dir, 'data', pattern(8192));
  const view = new Uint8Array(4096);
  assert.equal(await aio.read(fd, view, 0), 4096);
  structuredClone(view.buffer, { transfer: [view.buffer] });
  assert.equal(view.byteLength, 0);
  assert.equal(await aio.read(fd, view, 0), 0, 'no bytes left to read into');
  await assert.rejects(aio.read(fd, Buffer.alloc(16), 0, { reqprio: 1.5 }), (error: unknown) => error instanceof TypeError && /aio_reqprio must be a 32-bit integer/.test(error.message));
  await assert.rejects(aio.read(fd, Buffer.alloc(16), 0, { reqprio: 21 }), (error: unknown) => isAioError(error) && error.code === 'EINVAL');
  assert.equal(await aio.read(fd, Buffer.alloc(16), 0, { reqprio: 20 }), 16);
});
