/**
 * aio_error: EINPROGRESS while a request is pending, then 0 or the errno of the synchronous
 * call; like glibc, no EINVAL for an aiocb never submitted. Checklist items 19, 20, 24.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_read, aio_error, aio_error64, aio_suspend, errno, EBADF, EINPROGRESS, EINVAL, EISDIR_VALUE } from './aio-error-fixture.js';
import { closeAll, rawWrite, socketpair, SOCK_STREAM, tempDir } from './aio-fixture.js';
import { openSync } from 'node:fs';

test('EINPROGRESS while the request waits for data, 0 once it completed (items 19, 20)', () => {
  const [a, b] = socketpair(SOCK_STREAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(4) });
    assert.equal(aio_read(cb), 0);
    assert.equal(aio_error(cb), EINPROGRESS);
    assert.equal(aio_error(cb), EINPROGRESS, 'reading the status does not change it');
    rawWrite(b, Buffer.from('done'));
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
    assert.equal(aio_error(cb), 0);
  } finally {
    closeAll(a, b);
  }
});

test('a failed request reports the errno its synchronous call would set (item 20)', () => {
  const dir = tempDir();
  const fd = openSync(dir.dir, 'r');
  try {
    const bad = new Aiocb({ aio_fildes: 1_000_000, aio_buf: Buffer.alloc(4) });
    aio_read(bad);
    while (aio_error(bad) === EINPROGRESS) aio_suspend([bad], null);
    assert.equal(aio_error(bad), EBADF);
    const directory = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4) });
    aio_read(directory);
    while (aio_error(directory) === EINPROGRESS) aio_suspend([directory], null);
    assert.equal(aio_error(directory), EISDIR_VALUE, 'pread on a directory is EISDIR');
  } finally {
    closeAll(fd);
    dir.cleanup();
  }
});

test('an aiocb never submitted reports what its field holds, not EINVAL (item 24, glibc behaviour)', () => {
  const cb = new Aiocb();
  assert.equal(aio_error(cb), 0);
  cb.__error_code = 42;
  assert.equal(aio_error(cb), 42);
});

test('a non-Aiocb argument gives -1/EINVAL; aio_error64 is the same function', () => {
  assert.equal(aio_error({} as Aiocb), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(aio_error64, aio_error);
});
