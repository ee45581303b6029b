/**
 * aio_read: queued requests return 0, read aio_nbytes at aio_offset, short reads at EOF, the
 * opcode is ignored, errors of the I/O come through aio_error, reqprio is checked at once,
 * inline completion, streams. Checklist items 5, 6, 7, 9, 10, 12, 13, 14, 18.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_read, aio_read64, aio_error, aio_return, aio_suspend, errno, EBADF, EINVAL, EINPROGRESS, LIO_WRITE } from '../index.js';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_DGRAM, tempDir } from './aio-fixture.js';

const dir = tempDir();
const content = pattern(16384);
const file = fileWith(dir, 'data', content, 'r');
test.after(() => {
  closeAll(file.fd);
  dir.cleanup();
});

function waitFor(cb: Aiocb): void {
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], null);
}

test('a queued read returns 0 and reads aio_nbytes bytes from aio_offset (items 5, 6)', () => {
  const buf = Buffer.alloc(1024);
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: buf, aio_nbytes: 1024, aio_offset: 512 });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_error(cb), 0);
  assert.equal(aio_return(cb), 1024);
  assert.deepEqual(buf, content.subarray(512, 1536));
});

test('a page-cache read is complete when aio_read returns (inline completion, allowed by POSIX)', () => {
  const buf = Buffer.alloc(4096);
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: buf, aio_offset: 4096 });
  aio_read(cb); // warm
  assert.equal(aio_read(cb), 0);
  assert.equal(aio_error(cb), 0);
  assert.equal(aio_return(cb), 4096);
});

test('a short read at end of file returns the bytes available, with error 0 (item 7)', () => {
  const buf = Buffer.alloc(4096);
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: buf, aio_offset: content.length - 100 });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_error(cb), 0);
  assert.equal(aio_return(cb), 100);
  assert.deepEqual(buf.subarray(0, 100), content.subarray(content.length - 100));
});

test('aio_lio_opcode is ignored by aio_read (item 9)', () => {
  const buf = Buffer.alloc(64);
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: buf, aio_offset: 0, aio_lio_opcode: LIO_WRITE });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_return(cb), 64);
  assert.deepEqual(buf, content.subarray(0, 64));
});

test('fd -1: aio_read returns 0, then aio_error is EBADF and aio_return -1 (item 10)', () => {
  const cb = new Aiocb({ aio_fildes: -1, aio_buf: Buffer.alloc(16) });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_error(cb), EBADF);
  assert.equal(aio_return(cb), -1);
});

test('a negative offset fails asynchronously with EINVAL and aio_return -1 (item 12)', () => {
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(16), aio_offset: -1 });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_error(cb), EINVAL);
  assert.equal(aio_return(cb), -1);
});

test('aio_reqprio outside 0..20 fails at once with -1/EINVAL (item 13)', () => {
  for (const reqprio of [-1, 21]) {
    const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(16), aio_reqprio: reqprio });
    assert.equal(aio_read(cb), -1);
    assert.equal(errno(), EINVAL);
    assert.equal(aio_error(cb), EINVAL, 'glibc also writes EINVAL into the aiocb');
    assert.equal(aio_return(cb), -1);
  }
  const ok = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(16), aio_reqprio: 20 });
  assert.equal(aio_read(ok), 0);
});

test('aio_nbytes 0 reads nothing: return 0, error 0 (item 14)', () => {
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(16), aio_nbytes: 0 });
  assert.equal(aio_read(cb), 0);
  waitFor(cb);
  assert.equal(aio_error(cb), 0);
  assert.equal(aio_return(cb), 0);
});

test('aio_read64 is the same function (item 18)', () => {
  assert.equal(aio_read64, aio_read);
});

test('bad arguments give -1/EINVAL, never a crash', () => {
  assert.equal(aio_read(null as unknown as Aiocb), -1);
  assert.equal(errno(), EINVAL);
  const small = Buffer.alloc(8);
  const cb = new Aiocb({ aio_fildes: file.fd, aio_buf: small, aio_nbytes: 64 });
  assert.equal(aio_read(cb), -1, 'aio_nbytes beyond the buffer is refused');
  assert.equal(errno(), EINVAL);
});

test('a read on an empty socket stays EINPROGRESS until data arrives, then completes (stream path)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const buf = Buffer.alloc(32);
    const cb = new Aiocb({ aio_fildes: a, aio_buf: buf, aio_offset: 12345 });
    assert.equal(aio_read(cb), 0);
    assert.equal(aio_error(cb), EINPROGRESS);
    assert.equal(rawWrite(b, Buffer.from('datagram')), 8);
    waitFor(cb);
    assert.equal(aio_error(cb), 0);
    assert.equal(aio_return(cb), 8);
    assert.equal(buf.toString('utf8', 0, 8), 'datagram');
  } finally {
    closeAll(a, b);
  }
});

test('a read into a busy aiocb is refused with EINVAL (the request record is in use)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    assert.equal(aio_read(cb), 0);
    assert.equal(aio_read(cb), -1);
    assert.equal(errno(), EINVAL);
    assert.throws(() => { cb.aio_buf = Buffer.alloc(8); }, /aio_buf/);
    rawWrite(b, Buffer.from('x'));
    waitFor(cb);
    assert.equal(aio_return(cb), 1);
  } finally {
    closeAll(a, b);
  }
});
