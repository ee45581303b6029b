/**
 * aio_fsync: op and fd checked at once (EINVAL, EBADF), returns 0 then EINPROGRESS → 0 with
 * aio_return 0, completes only after the requests queued before it on the fd, ignores nbytes,
 * buf, reqprio and offset. Checklist items 46–50.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Aiocb, aio_fsync, aio_fsync64, aio_read, aio_write, aio_error, aio_return, aio_suspend, errno, EBADF, EINPROGRESS, EINVAL, O_DSYNC, O_SYNC } from '../index.js';
import { closeAll, fileWith, rawWrite, socketpair, SOCK_STREAM, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

function waitAll(cbs: Aiocb[]): void {
  while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
}

test('an op other than O_SYNC/O_DSYNC gives -1/EINVAL (item 46)', () => {
  const { fd } = fileWith(dir, 'op', '');
  try {
    assert.equal(aio_fsync(0, new Aiocb({ aio_fildes: fd })), -1);
    assert.equal(errno(), EINVAL);
    assert.equal(aio_fsync64, aio_fsync);
  } finally {
    closeAll(fd);
  }
});

test('a bad fd gives -1/EBADF synchronously (item 47)', () => {
  assert.equal(aio_fsync(O_SYNC, new Aiocb({ aio_fildes: -1 })), -1);
  assert.equal(errno(), EBADF);
  assert.equal(aio_fsync(O_DSYNC, new Aiocb({ aio_fildes: 1_000_000 })), -1);
  assert.equal(errno(), EBADF);
});

test('returns 0, then the status goes from EINPROGRESS to 0 with aio_return 0 (item 48)', () => {
  const { fd } = fileWith(dir, 'sync', 'data');
  try {
    for (const op of [O_SYNC, O_DSYNC]) {
      const cb = new Aiocb({ aio_fildes: fd });
      assert.equal(aio_fsync(op, cb), 0);
      const first = aio_error(cb);
      assert.ok(first === EINPROGRESS || first === 0);
      waitAll([cb]);
      assert.equal(aio_error(cb), 0);
      assert.equal(aio_return(cb), 0);
    }
  } finally {
    closeAll(fd);
  }
});

test('a write immediately followed by aio_fsync: when the fsync is done, the write is too (item 49)', () => {
  const { fd, path } = fileWith(dir, 'barrier', '');
  try {
    const writes = [0, 1, 2, 3].map((i) => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from(`block-${i}`), aio_offset: i * 7 }));
    for (const w of writes) assert.equal(aio_write(w), 0);
    const sync = new Aiocb({ aio_fildes: fd });
    assert.equal(aio_fsync(O_SYNC, sync), 0);
    waitAll([sync]);
    for (const w of writes) assert.notEqual(aio_error(w), EINPROGRESS);
    assert.equal(readFileSync(path, 'utf8'), 'block-0block-1block-2block-3');
  } finally {
    closeAll(fd);
  }
});

test('the fsync barrier waits for a blocked request of its fd, however long (item 49, deterministic)', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const read = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(4) });
    const sync = new Aiocb({ aio_fildes: a });
    assert.equal(aio_read(read), 0);
    assert.equal(aio_fsync(O_SYNC, sync), 0);
    assert.equal(aio_suspend([sync], { tv_sec: 0, tv_nsec: 200_000_000 }), -1, 'still behind the blocked read');
    assert.equal(aio_error(sync), EINPROGRESS);
    rawWrite(b, Buffer.from('go!!'));
    waitAll([read, sync]);
    assert.equal(aio_return(read), 4);
    assert.equal(aio_error(sync), EINVAL, 'then it ran: fsync(2) on a socket is EINVAL');
  } finally {
    closeAll(a, b);
  }
});

test('nbytes, buf, reqprio and offset are ignored (item 50)', () => {
  const { fd } = fileWith(dir, 'ignored', 'x');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_nbytes: -1, aio_buf: null, aio_reqprio: -1, aio_offset: -1 });
    assert.equal(aio_fsync(O_SYNC, cb), 0);
    waitAll([cb]);
    assert.equal(aio_error(cb), 0);
    assert.equal(aio_return(cb), 0);
  } finally {
    closeAll(fd);
  }
});
