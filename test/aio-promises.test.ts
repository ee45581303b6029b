/**
 * The Promise twins: aio.read/write/fsync resolve with the C return value and reject with
 * typed errors carrying the errno (AioError, errno negative as in Node; an AbortSignal gives an
 * AbortError, as fs.promises does); suspend waits without blocking the event loop (timeout →
 * EAGAIN; abort rejects once, the analogue of item 36); listio resolves with every entry's outcome.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { aio, Aiocb, AbortError, AioError, aio_read, isAioError, EBADF, EAGAIN, EINVAL, LIO_READ, LIO_WRITE, O_DSYNC } from '../index.js';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_DGRAM, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

test('read, write and fsync resolve with what the C calls return', async () => {
  const content = pattern(8192);
  const { fd, path } = fileWith(dir, 'f', content);
  try {
    const buf = Buffer.alloc(100);
    assert.equal(await aio.read(fd, buf, 1000), 100);
    assert.deepEqual(buf, content.subarray(1000, 1100));
    assert.equal(await aio.write(fd, Buffer.from('hello'), 0), 5);
    await aio.fsync(fd);
    await aio.fsync(fd, O_DSYNC);
    assert.equal(readFileSync(path).toString('utf8', 0, 5), 'hello');
  } finally {
    closeAll(fd);
  }
});

test('failures reject with AioError carrying errno and code', async () => {
  await assert.rejects(aio.read(-1, Buffer.alloc(4), 0), (error: unknown) => isAioError(error) && error.errno === -EBADF && error.code === 'EBADF');
  await assert.rejects(aio.fsync(-1), (error: unknown) => error instanceof AioError && error.errno === -EBADF);
  await assert.rejects(aio.fsync(0, 12345), (error: unknown) => error instanceof AioError && error.errno === -EINVAL);
  await assert.rejects(aio.read(0, 'nope' as unknown as Buffer, 0), TypeError);
});

test('an AbortSignal cancels a queued read: it rejects with an AbortError', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const first = aio.read(a, Buffer.alloc(8), 0);
    const controller = new AbortController();
    const second = aio.read(a, Buffer.alloc(8), 0, { signal: controller.signal });
    controller.abort(new Error('changed my mind'));
    // Whatever happens, the first read must get its datagram, or its cachemiss thread keeps the test alive.
    rawWrite(b, Buffer.from('abc'));
    await assert.rejects(second, (error: unknown) => error instanceof AbortError && error.code === 'ABORT_ERR');
    assert.equal(await first, 3);
    await assert.rejects(aio.read(a, Buffer.alloc(1), 0, { signal: AbortSignal.abort() }), AbortError);
  } finally {
    closeAll(a, b);
  }
});

test('suspend resolves on completion without blocking, times out with EAGAIN, and an abort rejects exactly once', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    aio_read(cb);
    await assert.rejects(aio.suspend([cb], { timeout: { tv_sec: 0, tv_nsec: 50_000_000 } }), (error: unknown) => error instanceof AioError && error.errno === -EAGAIN);
    const controller = new AbortController();
    let rejections = 0;
    const aborted = aio.suspend([cb], { signal: controller.signal }).catch((error: unknown) => {
      rejections++;
      assert.ok(error instanceof AbortError);
    });
    controller.abort();
    controller.abort();
    await aborted;
    assert.equal(rejections, 1);
    const waiting = aio.suspend([null, cb]);
    rawWrite(b, Buffer.from('z'));
    await waiting;
  } finally {
    closeAll(a, b);
  }
});

test('listio resolves with each entry\'s outcome', async () => {
  const { fd } = fileWith(dir, 'list', pattern(64));
  const r = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(32), aio_lio_opcode: LIO_READ });
  const w = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('zz'), aio_offset: 62, aio_lio_opcode: LIO_WRITE });
  const bad = new Aiocb({ aio_fildes: -1, aio_buf: Buffer.alloc(1), aio_lio_opcode: LIO_READ });
  try {
    const results = await aio.listio([r, null, w, bad]);
    assert.deepEqual(results.map((x) => [x.error, x.result]), [[0, 32], [0, 2], [EBADF, -1]]);
  } finally {
    closeAll(fd);
  }
});
