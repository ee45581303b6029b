/**
 * submitRaw: the request engine's entry for control blocks that are not x86-64 aiocbs (compat32's
 * i386 aiocb: 4-byte status fields). The same chain runs with aio_status's width 4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aioEngine, submitRaw, RawAioRequest, AIO_CANCELED, EBADF, ECANCELED, EINPROGRESS, EINVAL, EFAULT } from '../index.js';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_DGRAM, tempDir } from './aio-fixture.js';

test('a raw read with 4-byte status fields writes __error_code@96 and __return_value@100 of an i386 aiocb', () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'f', pattern(256), 'r');
  const engine = aioEngine();
  const region = engine.alloc(4096);
  try {
    const cb32 = region.start;
    const buf = region.start + 1024;
    region.view.setInt32(96, 12345, true);
    region.view.setInt32(104, 0x5a5a5a5a, true); // the i386 aio_offset: must stay untouched
    const handle = submitRaw({ op: 'read', fd, buf, nbytes: 100, offset: 10, errorCodeAddress: cb32 + 96, returnValueAddress: cb32 + 100, width: 4 });
    assert.ok(handle instanceof RawAioRequest);
    while (handle.inProgress) engine.waitUntil(() => !handle.inProgress, 1000);
    assert.equal(handle.error(), 0);
    assert.equal(handle.returned(), 100);
    assert.equal(region.view.getInt32(96, true), 0);
    assert.equal(region.view.getInt32(100, true), 100);
    assert.equal(region.view.getInt32(104, true), 0x5a5a5a5a);
    assert.deepEqual(Buffer.from(region.bytes.subarray(1024, 1124)), pattern(256).subarray(10, 110));
  } finally {
    engine.free(region);
    closeAll(fd);
    dir.cleanup();
  }
});

test('bad submissions give -errno; a queued raw request can be cancelled', () => {
  const engine = aioEngine();
  const region = engine.alloc(256);
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const base = { fd: a, buf: region.start + 128, nbytes: 8, errorCodeAddress: region.start, returnValueAddress: region.start + 4, width: 4 } as const;
    assert.equal(submitRaw({ ...base, op: 'read', width: 2 as 4 }), -EINVAL);
    assert.equal(submitRaw({ ...base, op: 'read', errorCodeAddress: 8, returnValueAddress: 12 }), -EFAULT);
    const first = submitRaw({ ...base, op: 'read' });
    const second = submitRaw({ ...base, op: 'read', errorCodeAddress: region.start + 16, returnValueAddress: region.start + 20 });
    assert.ok(first instanceof RawAioRequest && second instanceof RawAioRequest);
    assert.equal(first.error(), EINPROGRESS);
    assert.equal(second.cancel(), AIO_CANCELED);
    assert.equal(second.error(), ECANCELED);
    assert.equal(second.returned(), -1);
    rawWrite(b, Buffer.from('raw'));
    engine.waitUntil(() => !first.inProgress, null);
    assert.equal(first.returned(), 3);
    const badFd = submitRaw({ ...base, op: 'read', fd: -1 });
    assert.ok(badFd instanceof RawAioRequest);
    engine.waitUntil(() => !badFd.inProgress, null);
    assert.equal(badFd.error(), EBADF);
  } finally {
    closeAll(a, b);
    engine.free(region);
  }
});
