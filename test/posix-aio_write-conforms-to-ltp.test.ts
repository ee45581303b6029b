/**
 * aio_write queues the write, writes aio_nbytes at aio_offset (keeping the bytes around them),
 * appends in submission order on an O_APPEND fd, ignores aio_lio_opcode, and reports bad arguments
 * as POSIX says: EINVAL for a negative offset or reqprio, EBADF through aio_error for a bad or
 * read-only fd.
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/aio_write: one case per C test
 * (each names its origin), every one run against glibc's own AIO and the syslet shim
 * (test/helpers/posix-differential.ts: one child process per implementation, the cases one after
 * another).
 */
import assert from 'node:assert/strict';
import { constants, readSync } from 'node:fs';
import { differentialCases } from './helpers/posix-differential.js';
import { EBADF, EINVAL, tempFile, waitWhileInProgress, writeAll } from './helpers/posix-c.js';

differentialCases(import.meta.url, [
  /*
   * aio_write at aio_offset inside a file of zeros replaces exactly nbytes there and leaves the
   * bytes before and after alone. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_write/1-2.c.
   */
  { title: 'aio_write at an offset keeps the surrounding bytes (LTP aio_write/1-2)', body: (impl, env) => {
    const size = 1024;
    const fd = tempFile(env);
    writeAll(fd, Buffer.alloc(size * 2));
    const buf = impl.buffer(size).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: size, aio_offset: size / 2 });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    const err = waitWhileInProgress(impl, cb);
    assert.equal(err, 0, 'aio_error');
    assert.equal(impl.aio_return(cb), size, 'aio_return');
    const check = Buffer.alloc(size * 2, 1);
    assert.equal(readSync(fd, check, 0, size * 2, 0), size * 2);
    assert.equal(check[size / 2 - 1], 0, 'the byte before the write');
    assert.equal(check[size / 2 + size], 0, 'the byte after the write');
    assert.deepEqual(check.subarray(size / 2, size / 2 + size), buf);
  } },
  /*
   * aio_write on fd -1 returns 0 (the error is found later) and aio_error then gives EBADF.
   * Ported from LTP open_posix_testsuite conformance/interfaces/aio_write/8-1.c.
   */
  { title: 'aio_write on fd -1 returns 0, then aio_error is EBADF (LTP aio_write/8-1)', body: (impl) => {
    const cb = impl.aiocb({ aio_fildes: -1, aio_buf: impl.buffer(512).fill(0xaa), aio_nbytes: 512 });
    assert.equal(impl.aio_write(cb), 0, `aio_write should return 0 (errno ${impl.errno()})`);
    assert.equal(waitWhileInProgress(impl, cb), EBADF);
  } },
  /*
   * aio_write ignores aio_lio_opcode: with LIO_READ in it, the call still writes. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_write/3-1.c.
   */
  { title: 'aio_write ignores aio_lio_opcode = LIO_READ (LTP aio_write/3-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const buf = impl.buffer(512).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 512, aio_lio_opcode: impl.constants.LIO_READ });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    assert.equal(waitWhileInProgress(impl, cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
    const check = Buffer.alloc(512);
    assert.equal(readSync(fd, check, 0, 512, 0), 512);
    assert.deepEqual(check, buf);
  } },
  /*
   * aio_write at aio_offset -1 fails with EINVAL: either at once (-1, errno EINVAL) or later
   * (aio_error EINVAL, aio_return -1). Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_write/9-1.c.
   */
  { title: 'aio_write at offset -1 fails with EINVAL, at once or through aio_error (LTP aio_write/9-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(111), aio_nbytes: 111, aio_offset: -1 });
    if (impl.aio_write(cb) === -1) {
      assert.equal(impl.errno(), EINVAL, 'errno');
      return;
    }
    const err = waitWhileInProgress(impl, cb);
    assert.equal(impl.aio_return(cb), -1, 'aio_return');
    assert.equal(err, EINVAL, 'aio_error');
  } },
  /*
   * aio_write with aio_reqprio = -1 fails with EINVAL. LTP aio_write/6-1.c (a zeroed aiocb: -1 and
   * EINVAL at once, required where _POSIX_PRIORITIZED_IO is supported, as both implementations
   * say it is) and aio_write/9-2.c (an open file: EINVAL at once, or through aio_error with
   * aio_return -1). Ported from LTP open_posix_testsuite conformance/interfaces/aio_write/.
   */
  { title: 'aio_write with aio_reqprio -1 fails with EINVAL (LTP aio_write/6-1, 9-2)', body: (impl, env) => {
    const zeroed = impl.aiocb({ aio_reqprio: -1 });
    assert.equal(impl.aio_write(zeroed), -1, '6-1: aio_write should fail');
    assert.equal(impl.errno(), EINVAL, '6-1: errno');
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(512), aio_nbytes: 512, aio_reqprio: -1 });
    if (impl.aio_write(cb) === -1) {
      assert.equal(impl.errno(), EINVAL, '9-2: errno');
      return;
    }
    const err = waitWhileInProgress(impl, cb);
    assert.equal(impl.aio_return(cb), -1, '9-2: aio_return');
    assert.equal(err, EINVAL, '9-2: aio_error');
  } },
  /*
   * On an O_APPEND file, three aio_writes (all at aio_offset 0) append in the order they were
   * submitted: the file is their concatenation. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_write/2-1.c.
   */
  { title: 'aio_writes on an O_APPEND fd append in submission order (LTP aio_write/2-1)', body: (impl, env) => {
    const fd = tempFile(env, constants.O_CREAT | constants.O_APPEND | constants.O_RDWR | constants.O_EXCL);
    const sizes = [512, 1024, 1536];
    const bufs = sizes.map((size, i) => impl.buffer(size).fill(i));
    const cbs = bufs.map((buf, i) => impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: sizes[i] }));
    for (const [i, cb] of cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
    // LTP waits for the last one only, then checks all three.
    waitWhileInProgress(impl, cbs[2]!);
    for (const [i, cb] of cbs.entries()) {
      assert.equal(impl.aio_error(cb), 0, `aio_error ${i}`);
      assert.equal(impl.aio_return(cb), sizes[i], `aio_return ${i}`);
    }
    const total = 512 + 1024 + 1536;
    const check = Buffer.alloc(total);
    assert.equal(readSync(fd, check, 0, total, 0), total);
    assert.deepEqual(check, Buffer.concat(bufs));
  } },
  /*
   * aio_write on an fd opened O_RDONLY returns 0 and aio_error then gives EBADF (what write(2)
   * gives). Ported from LTP open_posix_testsuite conformance/interfaces/aio_write/8-2.c.
   */
  { title: 'aio_write on an O_RDONLY fd returns 0, then aio_error is EBADF (LTP aio_write/8-2)', body: (impl, env) => {
    const fd = tempFile(env, constants.O_CREAT | constants.O_RDONLY | constants.O_EXCL);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(512).fill(0xaa), aio_nbytes: 512 });
    assert.equal(impl.aio_write(cb), 0, `aio_write should return 0 (errno ${impl.errno()})`);
    assert.equal(waitWhileInProgress(impl, cb), EBADF);
  } },
  /*
   * aio_write returns 0 when the request is queued, and it completes with error 0 and all bytes.
   * Ported from LTP open_posix_testsuite conformance/interfaces/aio_write/5-1.c.
   */
  { title: 'aio_write returns 0 when queued (LTP aio_write/5-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(512), aio_nbytes: 512 });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    assert.equal(waitWhileInProgress(impl, cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
  } },
  /*
   * aio_write writes aio_nbytes bytes: error 0, return = nbytes, and the file holds exactly those
   * bytes (a read of one more byte gets nbytes). Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_write/1-1.c.
   */
  { title: 'aio_write writes aio_nbytes bytes (LTP aio_write/1-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const buf = impl.buffer(512).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 512 });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    const err = waitWhileInProgress(impl, cb);
    const ret = impl.aio_return(cb);
    assert.equal(err, 0, 'aio_error');
    assert.equal(ret, 512, 'aio_return');
    const check = Buffer.alloc(513, 1);
    assert.equal(readSync(fd, check, 0, 513, 0), 512, 'the file is nbytes long');
    assert.equal(check[512], 1, 'the byte after the data is untouched');
    assert.deepEqual(check.subarray(0, 512), buf);
  } },
]);
