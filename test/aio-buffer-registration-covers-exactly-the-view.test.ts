/**
 * A Buffer given as aio_buf lets chains reach exactly its bytes, not the rest of its backing
 * store: two small `Buffer.from()` values share Node's 8 KiB pool, and after an aio_read into A
 * the engine's region is A's 16 bytes; an Aiocb whose aio_buf is B's raw address (never given to
 * the library) fails with EFAULT and B is untouched (issue 15 item 8). Overlapping views of one
 * store in flight at once (a Buffer and subarrays of it) are registered as one region covering
 * both, and each request transfers its bytes.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addressOf } from '../engine/native/index.js';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, aioEngine, EFAULT, EINPROGRESS } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';

function settle(cb: Aiocb): [number, number] {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
  return [aio_error(cb), aio_return(cb)];
}

test('pooled Buffers: only the view read into is registered; a raw address of its neighbour is EFAULT, the neighbour untouched', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const { fd } = fileWith(dir, 'data', Buffer.alloc(64, 0x58));
  const a = Buffer.from('aaaaaaaaaaaaaaaa');
  const b = Buffer.from('bbbbbbbbbbbbbbbb');
  assert.equal(a.buffer, b.buffer, 'A and B share Node\'s pool (the case under test)');
  const cbA = new Aiocb({ aio_fildes: fd, aio_buf: a });
  assert.equal(aio_read(cbA), 0);
  assert.deepEqual(settle(cbA), [0, 16]);
  assert.equal(a.toString(), 'X'.repeat(16));
  const memory = aioEngine().memory;
  const region = memory.find(addressOf(a), 16);
  assert.ok(region !== null, 'A stays registered while idle');
  assert.deepEqual([region.start, region.end], [addressOf(a), addressOf(a) + 16], 'the region is exactly A');
  assert.equal(memory.find(addressOf(b), 1), null, 'no region covers B');
  const cbB = new Aiocb({ aio_fildes: fd, aio_buf: BigInt(addressOf(b)), aio_nbytes: 16 });
  assert.equal(aio_read(cbB), 0);
  assert.deepEqual(settle(cbB), [EFAULT, -1]);
  assert.equal(b.toString(), 'bbbbbbbbbbbbbbbb');
});

test('overlapping views of one Buffer: one region covers them, each reads its bytes', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const content = pattern(100);
  const { fd } = fileWith(dir, 'data', content);
  const big = Buffer.alloc(200);
  const views = [big.subarray(0, 40), big.subarray(20, 60), big.subarray(150, 200), big];
  const cbs = views.map((view) => new Aiocb({ aio_fildes: fd, aio_buf: view }));
  for (const cb of cbs) assert.equal(aio_read(cb), 0);
  assert.deepEqual(cbs.map(settle), [[0, 40], [0, 40], [0, 50], [0, 100]]);
  assert.deepEqual(big.subarray(0, 100), content);
  const region = aioEngine().memory.find(addressOf(big), 200);
  assert.ok(region !== null && region.start === addressOf(big) && region.end === addressOf(big) + 200, 'the union of the views, which is the whole Buffer here');
});
