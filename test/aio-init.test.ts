/**
 * aio_init: glibc's defaults (20 threads, 64 requests, 1 s), threads at least 1, aio_num rounded
 * down to a multiple of 32 (at least 32), both frozen at the first request, the idle time
 * changeable whenever it is non-zero, and the thread limit really bounds the pool. Item 63.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_init, aioConfig, aioEngine, aio_read, aio_error, aio_suspend, errno, EAGAIN, EINPROGRESS } from '../index.js';
import { closeAll, rawWrite, socketpair, SOCK_DGRAM } from './aio-fixture.js';

// The thread bound is the subject: the POSIX layer's engine (made at the first request) must
// put its blocking reads on cachemiss threads, not in an io_uring ring that has no such bound.
process.env.SYSLET_AIO_ENGINE = 'threads';

test('defaults, rounding and minimums before first use; frozen after; idle time always (item 63)', () => {
  assert.deepEqual(aioConfig(), { aio_threads: 20, aio_num: 64, aio_idle_time: 1 });
  aio_init({ aio_threads: 0, aio_num: 10 });
  assert.deepEqual(aioConfig(), { aio_threads: 1, aio_num: 32, aio_idle_time: 1 });
  aio_init({ aio_threads: 2, aio_num: 100, aio_idle_time: 2 });
  assert.deepEqual(aioConfig(), { aio_threads: 2, aio_num: 96, aio_idle_time: 2 });
  assert.throws(() => aio_init({ aio_threads: Number.NaN }), /aio_threads/);

  // Two requests block both threads; a third, on another socket, must wait for a thread.
  const pairs = [socketpair(SOCK_DGRAM), socketpair(SOCK_DGRAM), socketpair(SOCK_DGRAM)];
  try {
    const cbs = pairs.map(([a]) => new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(4) }));
    for (const cb of cbs) assert.equal(aio_read(cb), 0);
    aio_init({ aio_threads: 50, aio_num: 320, aio_idle_time: 0 });
    assert.deepEqual(aioConfig(), { aio_threads: 2, aio_num: 96, aio_idle_time: 2 }, 'frozen after the first request');
    aio_init({ aio_idle_time: 5 });
    assert.equal(aioConfig().aio_idle_time, 5);
    const third = cbs[2] as Aiocb;
    rawWrite((pairs[2] as [number, number])[1], Buffer.from('3rd'));
    assert.equal(aio_suspend([third], { tv_sec: 0, tv_nsec: 300_000_000 }), -1, 'no free thread for the third request');
    assert.equal(errno(), EAGAIN);
    assert.ok(aioEngine().threads <= 2, `threads: ${aioEngine().threads}`);
    rawWrite((pairs[0] as [number, number])[1], Buffer.from('1st'));
    while (aio_error(third) === EINPROGRESS) aio_suspend([third], null);
    assert.equal(aio_error(third), 0, 'it ran once a thread was free');
    rawWrite((pairs[1] as [number, number])[1], Buffer.from('2nd'));
    while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
  } finally {
    for (const [a, b] of pairs) closeAll(a, b);
  }
});
