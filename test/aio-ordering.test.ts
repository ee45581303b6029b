/**
 * Ordering: requests on a stream run one at a time per fd in submission order (equal priority
 * FIFO), a lower aio_reqprio goes ahead of queued higher ones, positional reads of a regular
 * file run independently, and a cancelled request never strands the ones behind it.
 * Checklist items 16 (and 15 for O_APPEND in aio-write.test.ts, 49 in aio-fsync.test.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_read, aio_cancel, aio_error, aio_return, aio_suspend, AIO_CANCELED, EINPROGRESS } from '../index.js';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_DGRAM, SOCK_STREAM, tempDir } from './aio-fixture.js';

function waitAll(cbs: Aiocb[]): void {
  while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
}

test('equal-priority reads of a stream socket complete in submission order (item 16)', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const cbs = [0, 1, 2].map(() => new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(4) }));
    for (const cb of cbs) assert.equal(aio_read(cb), 0);
    rawWrite(b, Buffer.from('AAAABBBBCCCC'));
    waitAll(cbs);
    assert.deepEqual(cbs.map((cb) => (cb.aio_buf as Buffer).toString()), ['AAAA', 'BBBB', 'CCCC']);
  } finally {
    closeAll(a, b);
  }
});

test('datagrams go to the queued reads in order; a lower reqprio overtakes queued higher ones, never the running head', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const head = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_reqprio: 5 });
    const late = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_reqprio: 10 });
    const urgent = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_reqprio: 0 });
    for (const cb of [head, late, urgent]) assert.equal(aio_read(cb), 0);
    for (const text of ['one', 'two', 'three']) rawWrite(b, Buffer.from(text));
    waitAll([head, late, urgent]);
    const got = (cb: Aiocb): string => (cb.aio_buf as Buffer).toString('utf8', 0, aio_return(cb));
    assert.deepEqual([got(head), got(urgent), got(late)], ['one', 'two', 'three']);
  } finally {
    closeAll(a, b);
  }
});

test('positional reads of a regular file do not queue behind one another', () => {
  const dir = tempDir();
  const content = pattern(65536);
  const { fd } = fileWith(dir, 'f', content, 'r');
  try {
    const cbs = Array.from({ length: 16 }, (_, i) => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4096), aio_offset: (15 - i) * 4096 }));
    for (const cb of cbs) assert.equal(aio_read(cb), 0);
    waitAll(cbs);
    cbs.forEach((cb, i) => assert.deepEqual(cb.aio_buf, content.subarray((15 - i) * 4096, (16 - i) * 4096)));
  } finally {
    closeAll(fd);
    dir.cleanup();
  }
});

test('cancelling requests in the middle of a stream queue strands nothing behind them', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const cbs = [0, 1, 2, 3, 4].map(() => new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(2) }));
    for (const cb of cbs) aio_read(cb);
    assert.equal(aio_cancel(a, cbs[1] as Aiocb), AIO_CANCELED);
    assert.equal(aio_cancel(a, cbs[3] as Aiocb), AIO_CANCELED);
    rawWrite(b, Buffer.from('112244'));
    waitAll(cbs);
    assert.deepEqual([0, 2, 4].map((i) => (cbs[i]?.aio_buf as Buffer).toString()), ['11', '22', '44']);
  } finally {
    closeAll(a, b);
  }
});
