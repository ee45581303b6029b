/**
 * aio_suspend: returns at once when an entry is done, ignores NULLs, waits for one completion,
 * times out with EAGAIN (not early, on the monotonic clock), is interrupted with EINTR by a
 * received signal, rejects nent < 0. Checklist items 30, 31, 32, 33, 34, 35, 37 (36: see docs).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_read, aio_error, aio_return, aio_suspend, aio_suspend64, errno, receiveSignals, EAGAIN, EINTR, EINVAL, EINPROGRESS, SIGRTMIN } from '../index.js';
import { closeAll, fileWith, pattern, raiseInJsThread, rawWrite, socketpair, SOCK_DGRAM, tempDir, writeFromWorker } from './aio-fixture.js';

const dir = tempDir();
const file = fileWith(dir, 'f', pattern(4096), 'r');
test.after(() => {
  closeAll(file.fd);
  dir.cleanup();
});

test('returns 0 at once when one entry has already completed, even if another is blocked (item 30)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const blocked = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    const done = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8) });
    assert.equal(aio_read(blocked), 0);
    assert.equal(aio_read(done), 0);
    while (aio_error(done) === EINPROGRESS) aio_suspend([done], null);
    // `blocked` never completes: waiting for it instead of `done` would never return.
    assert.equal(aio_suspend([blocked, done], null), 0);
    assert.equal(aio_error(blocked), EINPROGRESS);
    rawWrite(b, Buffer.from('x'));
    while (aio_error(blocked) === EINPROGRESS) aio_suspend([blocked], null);
  } finally {
    closeAll(a, b);
  }
});

test('NULL entries are ignored; an all-NULL list returns 0 (item 31)', () => {
  assert.equal(aio_suspend([null, null], null), 0);
  assert.equal(aio_suspend([], null), 0);
});

test('waits, with a NULL timeout, until a blocked request completes (items 31, 32)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(16) });
    assert.equal(aio_read(cb), 0);
    await writeFromWorker(b, 'from-worker');
    assert.equal(aio_suspend([null, cb, null], 3, null), 0);
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
    assert.equal(aio_error(cb), 0);
    assert.equal(aio_return(cb), 11);
  } finally {
    closeAll(a, b);
  }
});

test('times out with -1/EAGAIN, not early, measured on the monotonic clock (items 33, 37)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    aio_read(cb);
    const start = performance.now();
    assert.equal(aio_suspend([cb], { tv_sec: 0, tv_nsec: 250_000_000 }), -1);
    assert.equal(errno(), EAGAIN);
    assert.ok(performance.now() - start >= 249, `returned after ${performance.now() - start} ms`);
    assert.equal(aio_error(cb), EINPROGRESS);
    rawWrite(b, Buffer.from('x'));
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
  } finally {
    closeAll(a, b);
  }
});

test('a received signal interrupts it with -1/EINTR after its handler ran (item 34)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  const seen: number[] = [];
  const receiver = receiveSignals(SIGRTMIN + 3, (info) => seen.push(info.signo));
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    aio_read(cb);
    assert.equal(raiseInJsThread(SIGRTMIN + 3), 0);
    assert.equal(aio_suspend([cb], null), -1);
    assert.equal(errno(), EINTR);
    assert.deepEqual(seen, [SIGRTMIN + 3]);
    assert.equal(aio_error(cb), EINPROGRESS, 'the request goes on');
    rawWrite(b, Buffer.from('x'));
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
    assert.equal(aio_return(cb), 1);
  } finally {
    receiver.dispose();
    closeAll(a, b);
  }
});

test('nent < 0, a malformed timeout or a non-aiocb entry give -1/EINVAL (item 35)', () => {
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(8) });
  assert.equal(aio_suspend([cb], -1, null), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(aio_suspend([cb], { tv_sec: 0, tv_nsec: 2e9 }), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(aio_suspend([{} as Aiocb], null), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(aio_suspend64, aio_suspend);
});
