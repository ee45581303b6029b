/**
 * aio_return: the operation's return value; repeated calls give the same value (glibc: no
 * "exactly once" enforcement); a reused aiocb reports its new operation. Items 22, 23, 24.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_read, aio_write, aio_fsync, aio_error, aio_return, aio_return64, aio_suspend, errno, EINPROGRESS, EINVAL, O_SYNC } from '../index.js';
import { closeAll, fileWith, pattern, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

function wait(cb: Aiocb): void {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
}

test('aio_return gives what read, write and fsync returned (item 22)', () => {
  const { fd } = fileWith(dir, 'f', pattern(300));
  try {
    const r = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(1000) });
    aio_read(r);
    wait(r);
    assert.equal(aio_return(r), 300);
    const w = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(77), aio_offset: 300 });
    aio_write(w);
    wait(w);
    assert.equal(aio_return(w), 77);
    const s = new Aiocb({ aio_fildes: fd });
    assert.equal(aio_fsync(O_SYNC, s), 0);
    wait(s);
    assert.equal(aio_return(s), 0);
  } finally {
    closeAll(fd);
  }
});

test('a reused aiocb reports the new operation\'s status (item 23)', () => {
  const { fd } = fileWith(dir, 'g', pattern(100));
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(64), aio_offset: 0 });
    aio_read(cb);
    wait(cb);
    assert.equal(aio_return(cb), 64);
    cb.aio_offset = 90;
    aio_read(cb);
    wait(cb);
    assert.equal(aio_return(cb), 10);
    cb.aio_fildes = -1;
    aio_read(cb);
    wait(cb);
    assert.equal(aio_return(cb), -1);
  } finally {
    closeAll(fd);
  }
});

test('repeated aio_return calls give the same value: glibc does not enforce "exactly once" (item 24)', () => {
  const { fd } = fileWith(dir, 'h', pattern(10));
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(10) });
    aio_read(cb);
    wait(cb);
    assert.deepEqual([aio_return(cb), aio_return(cb), aio_return(cb)], [10, 10, 10]);
    assert.equal(aio_return({} as Aiocb), -1);
    assert.equal(errno(), EINVAL);
    assert.equal(aio_return64, aio_return);
  } finally {
    closeAll(fd);
  }
});
