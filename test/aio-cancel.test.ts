/**
 * aio_cancel, with requests blocked deterministically on AF_UNIX sockets (as LTP's aio_test.h):
 * EBADF, ALLDONE, CANCELED for a queued request (ECANCELED/-1, notified), NOTCANCELED for a
 * running one, NULL for the whole fd, idle fd, untouched survivors, mismatched fd, and no
 * stranding of the requests behind a cancelled one. Checklist items 29, 38–45.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  Aiocb, aio_cancel, aio_cancel64, aio_read, aio_error, aio_return, aio_suspend, errno, AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED,
  EBADF, ECANCELED, EINPROGRESS, EINVAL, SIGEV_THREAD,
} from '../index.js';
import { closeAll, fileWith, rawWrite, socketpair, SOCK_DGRAM, SOCK_STREAM, tempDir, turns } from './aio-fixture.js';

function waitAll(cbs: Aiocb[]): void {
  while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
}

test('a bad fd gives -1/EBADF (item 38)', () => {
  assert.equal(aio_cancel(-1, null), -1);
  assert.equal(errno(), EBADF);
  assert.equal(aio_cancel(1_000_000), -1);
  assert.equal(errno(), EBADF);
  assert.equal(aio_cancel64, aio_cancel);
});

test('a completed request gives AIO_ALLDONE (item 39); NULL on an idle fd does not fail (item 43)', () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'f', 'abc');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(3) });
    aio_read(cb);
    waitAll([cb]);
    assert.equal(aio_cancel(fd, cb), AIO_ALLDONE);
    assert.equal(aio_cancel(fd, null), AIO_ALLDONE);
  } finally {
    closeAll(fd);
    dir.cleanup();
  }
});

test('queued → CANCELED with ECANCELED/-1 and notified; running → NOTCANCELED; the rest untouched and not stranded (items 29, 40, 41, 44)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const notified: (number | bigint)[] = [];
    const running = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    const victim = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_sigevent: { sigev_notify: SIGEV_THREAD, sigev_value: 40, sigev_notify_function: (v) => notified.push(v) } });
    const behind = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    for (const cb of [running, victim, behind]) assert.equal(aio_read(cb), 0);
    assert.equal(aio_cancel(a, victim), AIO_CANCELED);
    assert.equal(aio_error(victim), ECANCELED);
    assert.equal(aio_return(victim), -1);
    assert.equal(aio_cancel(a, running), AIO_NOTCANCELED);
    assert.equal(aio_error(running), EINPROGRESS);
    assert.equal(aio_error(behind), EINPROGRESS, 'a request not cancelled is left alone');
    assert.equal(aio_cancel(a, victim), AIO_ALLDONE, 'cancelling twice finds it done');
    rawWrite(b, Buffer.from('one'));
    rawWrite(b, Buffer.from('two'));
    waitAll([running, behind]);
    assert.equal(aio_return(running), 3);
    assert.equal(aio_return(behind), 3, 'the request behind the cancelled one ran');
    await turns();
    assert.deepEqual(notified, [40], 'the cancelled request was notified once');
  } finally {
    closeAll(a, b);
  }
});

test('NULL cancels every queued request of the fd and reports NOTCANCELED for the running one (item 42)', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const cbs = [0, 1, 2, 3].map(() => new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(4) }));
    for (const cb of cbs) assert.equal(aio_read(cb), 0);
    assert.equal(aio_cancel(a, null), AIO_NOTCANCELED);
    assert.equal(aio_error(cbs[0] as Aiocb), EINPROGRESS);
    for (const cb of cbs.slice(1)) {
      assert.equal(aio_error(cb), ECANCELED);
      assert.equal(aio_return(cb), -1);
    }
    rawWrite(b, Buffer.from('data'));
    waitAll(cbs);
    assert.equal(aio_return(cbs[0] as Aiocb), 4);
    assert.equal(aio_cancel(a, null), AIO_ALLDONE);
  } finally {
    closeAll(a, b);
  }
});

test('NULL with only queued requests behind nothing running cancels them all: AIO_CANCELED', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    // The first request runs; once it is done the queue is empty again; then block a new head.
    const head = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(1) });
    const queued = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(1) });
    aio_read(head);
    aio_read(queued);
    assert.equal(aio_cancel(a, queued), AIO_CANCELED);
    rawWrite(b, Buffer.from('h'));
    waitAll([head]);
    assert.equal(aio_cancel(a, null), AIO_ALLDONE);
  } finally {
    closeAll(a, b);
  }
});

test('an aiocb whose aio_fildes differs from fildes gives -1/EINVAL (item 45, glibc\'s choice)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(1) });
    aio_read(cb);
    assert.equal(aio_cancel(b, cb), -1);
    assert.equal(errno(), EINVAL);
    rawWrite(b, Buffer.from('x'));
    waitAll([cb]);
  } finally {
    closeAll(a, b);
  }
});
