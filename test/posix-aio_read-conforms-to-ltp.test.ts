/**
 * aio_read queues the read, reads aio_nbytes at aio_offset (short at end of file), ignores
 * aio_lio_opcode, and reports bad arguments as POSIX says: EINVAL for a negative offset or
 * reqprio, EBADF through aio_error for a bad fd.
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/aio_read: one case per C test
 * (each names its origin), every one run against glibc's own AIO and the syslet shim
 * (test/helpers/posix-differential.ts: one child process per implementation, the cases one after
 * another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EBADF, EINVAL, preadAll, tempFile, waitWhileInProgress, writeAll } from './helpers/posix-c.js';

differentialCases(import.meta.url, [
  /*
   * aio_read on fd -1 returns 0 (the error is found later) and aio_error then gives EBADF. Ported
   * from LTP open_posix_testsuite conformance/interfaces/aio_read/10-1.c.
   */
  { title: 'aio_read on fd -1 returns 0, then aio_error is EBADF (LTP aio_read/10-1)', body: (impl) => {
    const cb = impl.aiocb({ aio_fildes: -1, aio_buf: impl.buffer(111).fill(0xaa), aio_nbytes: 111 });
    assert.equal(impl.aio_read(cb), 0, `aio_read should return 0 (errno ${impl.errno()})`);
    assert.equal(waitWhileInProgress(impl, cb), EBADF);
  } },
  /*
   * aio_read reads at aio_offset: with 512 bytes of 1 then 512 bytes of 2, a 512-byte read at
   * offset 512 gives only 2s. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_read/4-1.c.
   */
  { title: 'aio_read honours aio_offset (LTP aio_read/4-1)', body: (impl, env) => {
    const fd = tempFile(env);
    writeAll(fd, Buffer.concat([Buffer.alloc(512, 1), Buffer.alloc(512, 2)]));
    const check = impl.buffer(512).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: check, aio_nbytes: 512, aio_offset: 512 });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    const err = waitWhileInProgress(impl, cb);
    assert.equal(err, 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
    assert.deepEqual(check, Buffer.alloc(512, 2));
  } },
  /*
   * aio_read ignores aio_lio_opcode: with LIO_WRITE in it, the call still reads. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_read/5-1.c.
   */
  { title: 'aio_read ignores aio_lio_opcode = LIO_WRITE (LTP aio_read/5-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const content = Buffer.from(Array.from({ length: 111 }, (_, i) => i));
    writeAll(fd, content);
    const check = impl.buffer(111).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: check, aio_nbytes: 111, aio_lio_opcode: impl.constants.LIO_WRITE });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    assert.equal(waitWhileInProgress(impl, cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 111, 'aio_return');
    assert.deepEqual(check, content, 'the buffer holds the file (a read happened, not a write)');
  } },
  /*
   * aio_read at aio_offset -1 fails with EINVAL: either at once (-1, errno EINVAL) or later
   * (aio_error EINVAL, aio_return -1). Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_read/11-1.c.
   */
  { title: 'aio_read at offset -1 fails with EINVAL, at once or through aio_error (LTP aio_read/11-1)', body: (impl, env) => {
    const fd = tempFile(env);
    writeAll(fd, Buffer.alloc(111));
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(111), aio_nbytes: 111, aio_offset: -1 });
    if (impl.aio_read(cb) === -1) {
      assert.equal(impl.errno(), EINVAL, 'errno');
      return;
    }
    const err = waitWhileInProgress(impl, cb);
    assert.equal(impl.aio_return(cb), -1, 'aio_return');
    assert.equal(err, EINVAL, 'aio_error');
  } },
  /*
   * aio_read with aio_reqprio = -1 is refused at once: -1 with errno EINVAL. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_read/8-1.c (a zeroed aiocb, fd 0: -1 required;
   * run since both implementations define _POSIX_PRIORITIZED_IO) and aio_read/11-2.c (an open
   * file: -1 and EINVAL required).
   */
  { title: 'aio_read with aio_reqprio -1 fails at once with EINVAL (LTP aio_read/8-1, 11-2)', body: (impl, env) => {
    // 8-1: memset(&aiocb, 0, ...) then aio_reqprio = -1.
    const zeroed = impl.aiocb({ aio_reqprio: -1 });
    assert.equal(impl.aio_read(zeroed), -1, '8-1: aio_read should fail');
    // 11-2: a real file and buffer.
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(111), aio_nbytes: 111, aio_reqprio: -1 });
    assert.equal(impl.aio_read(cb), -1, '11-2: aio_read should return -1');
    assert.equal(impl.errno(), EINVAL, '11-2: errno');
  } },
  /*
   * aio_read reads aio_nbytes bytes from aio_offset: error 0, return = nbytes, the bytes are the
   * file's. Ported from LTP open_posix_testsuite conformance/interfaces/aio_read/1-1.c.
   */
  { title: 'aio_read reads aio_nbytes bytes at aio_offset (LTP aio_read/1-1)', body: (impl, env) => {
    const fd = tempFile(env);
    // Four 256-byte runs of 1, 2, 3, 4: the read at 512 must see the third run.
    const content = Buffer.alloc(1024);
    for (let i = 0; i < 4; i++) content.fill(i + 1, i * 256, (i + 1) * 256);
    writeAll(fd, content);
    const check = impl.buffer(256);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: check, aio_nbytes: 256, aio_offset: 512 });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    const err = waitWhileInProgress(impl, cb);
    const ret = impl.aio_return(cb);
    assert.equal(err, 0, 'aio_error');
    assert.equal(ret, 256, 'aio_return');
    assert.deepEqual(check, preadAll(fd, 256, 512));
  } },
  /*
   * aio_read returns 0 when the request is queued, and the request then ends. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_read/7-1.c (an empty file: the read ends with
   * 0 bytes).
   */
  { title: 'aio_read returns 0 when queued (LTP aio_read/7-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(111).fill(0xaa), aio_nbytes: 111 });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    waitWhileInProgress(impl, cb);
  } },
  /*
   * An aio_read of more bytes than the file holds completes with aio_error 0 and aio_return = the
   * bytes available. Ported from LTP open_posix_testsuite conformance/interfaces/aio_read/3-2.c.
   */
  { title: 'aio_read past end of file returns the bytes available (LTP aio_read/3-2)', body: (impl, env) => {
    const fd = tempFile(env);
    writeAll(fd, Buffer.alloc(512, 1));
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(1024), aio_nbytes: 1024 });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    assert.equal(waitWhileInProgress(impl, cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
  } },
  /*
   * After an aio_read completes, aio_error gives 0 and aio_return the byte count (the aiocb can
   * be used with aio_error and aio_return). Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_read/3-1.c.
   */
  { title: 'a completed aio_read has aio_error 0 and aio_return = nbytes (LTP aio_read/3-1)', body: (impl, env) => {
    const fd = tempFile(env);
    writeAll(fd, Buffer.alloc(111, 0x5a));
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(111), aio_nbytes: 111 });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    assert.equal(waitWhileInProgress(impl, cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 111, 'aio_return');
  } },
]);
