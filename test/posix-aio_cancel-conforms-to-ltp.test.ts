/**
 * aio_cancel cancels queued requests (status ECANCELED, aio_return -1, notified), leaves running
 * and completed ones alone (AIO_NOTCANCELED, AIO_ALLDONE), and reports EBADF for a bad fd.
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/aio_cancel and glibc
 * rt/tst-aio7.c: one case per C test (each names its origin), every one run against glibc's own
 * AIO and the syslet shim (test/helpers/posix-differential.ts: one child process per
 * implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EBADF, ECANCELED, EINPROGRESS, ENOSYS, cleanupSocketAio, setupSocketAio, tempFile, waitWhileInProgress } from './helpers/posix-c.js';
import { sleepSync } from './helpers/posix-os.js';

differentialCases(import.meta.url, [
  /*
   * aio_cancel(-1, NULL) fails: -1 with errno set (LTP aio_cancel/9-1) to EBADF (aio_cancel/10-1).
   * Ported from LTP open_posix_testsuite conformance/interfaces/aio_cancel/9-1.c and 10-1.c.
   */
  { title: 'aio_cancel(-1, NULL) is -1 with EBADF (LTP aio_cancel/9-1, 10-1)', body: (impl) => {
    assert.equal(impl.aio_cancel(-1, null), -1);
    assert.equal(impl.errno(), EBADF);
  } },
  /*
   * A cancelled request's aio_error is ECANCELED and its aio_return is -1: eight writes on a
   * datagram socket (the third blocks), aio_cancel(fd, NULL), then writes 3 to 7. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/4-1.c.
   */
  (() => {
    const WRITE_COUNT = 8;
    const MAX_COMPLETE = 3;
    return { title: 'a cancelled request has ECANCELED and aio_return -1 (LTP aio_cancel/4-1)', body: (impl) => {
      const setup = setupSocketAio(impl, WRITE_COUNT);
      try {
        for (const [i, cb] of setup.cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
        assert.notEqual(impl.aio_cancel(setup.fds[0], null), -1, `aio_cancel: errno ${impl.errno()}`);
        for (let i = MAX_COMPLETE; i < WRITE_COUNT; i++) {
          const cb = setup.cbs[i]!;
          assert.equal(impl.aio_error(cb), ECANCELED, `aio_error ${i}`);
          assert.equal(impl.aio_return(cb), -1, `aio_return ${i}`);
        }
      } finally {
        cleanupSocketAio(impl, setup);
      }
    } };
  })(),
  /*
   * Cancelled requests are notified as any completion is: eight SIGEV_SIGNAL writes on a datagram
   * socket (sival_ptr = &aiocb), aio_cancel(fd, NULL), then the blocked write is let through. All
   * eight signals arrive, and at least five name an aiocb whose aio_error is ECANCELED. LTP's
   * handler calls aio_error itself; here the siginfo is recorded and aio_error asked afterwards,
   * which gives the same answer since a cancelled request's status is final. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/3-1.c.
   */
  (() => {
    const WRITE_COUNT = 8;
    const MAX_COMPLETE = 3;
    return { title: 'cancelled requests are notified by their signal (LTP aio_cancel/3-1)', body: async (impl) => {
      const { SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const signals = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const setup = setupSocketAio(impl, WRITE_COUNT);
      const byAddress = new Map(setup.cbs.map((cb) => [cb.address, cb]));
      for (const [i, cb] of setup.cbs.entries()) {
        cb.assign({ aio_reqprio: 0, aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: cb.address } });
        assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
      }
      assert.notEqual(impl.aio_cancel(setup.fds[0], null), -1, `aio_cancel: errno ${impl.errno()}`);
      cleanupSocketAio(impl, setup);
      const received = await signals.waitFor(WRITE_COUNT, 20_000);
      assert.equal(received.length, WRITE_COUNT, 'one signal per request');
      let canceled = 0;
      for (const info of received) {
        const cb = byAddress.get(Number(info.value));
        assert.ok(cb !== undefined, `si_value ${info.value} is not one of the aiocbs`);
        if (impl.aio_error(cb) === ECANCELED) canceled++;
        impl.aio_return(cb);
      }
      assert.ok(canceled >= WRITE_COUNT - MAX_COMPLETE, `only ${canceled} cancelled requests notified`);
    } };
  })(),
  /*
   * aio_cancel of a request that has completed returns AIO_ALLDONE. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/8-1.c.
   */
  { title: 'aio_cancel of a completed request is AIO_ALLDONE (LTP aio_cancel/8-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(1024).fill(0xaa), aio_nbytes: 1024 });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    assert.ok(waitWhileInProgress(impl, cb) >= 0);
    assert.equal(impl.aio_cancel(fd, cb), impl.constants.AIO_ALLDONE);
  } },
  /*
   * aio_cancel(fd, NULL) cancels every request of the fd that has not started: on a datagram
   * socket where the third of eight writes blocks, the call returns AIO_CANCELED or
   * AIO_NOTCANCELED and writes 3 to 7 end with ECANCELED. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_cancel/2-1.c (with include/aio_test.h's socketpair setup).
   */
  (() => {
    const WRITE_COUNT = 8;
    const BLOCKED_TASK = 2;
    return { title: 'aio_cancel(fd, NULL) cancels the requests not yet started (LTP aio_cancel/2-1)', body: (impl) => {
      const setup = setupSocketAio(impl, WRITE_COUNT);
      try {
        for (const [i, cb] of setup.cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
        const result = impl.aio_cancel(setup.fds[0], null);
        assert.notEqual(result, -1, `aio_cancel: errno ${impl.errno()}`);
        assert.ok(result === impl.constants.AIO_CANCELED || result === impl.constants.AIO_NOTCANCELED, `aio_cancel returned ${result}`);
        for (let i = BLOCKED_TASK + 1; i < WRITE_COUNT; i++) assert.equal(impl.aio_error(setup.cbs[i]!), ECANCELED, `request ${i}`);
      } finally {
        cleanupSocketAio(impl, setup);
      }
    } };
  })(),
  /*
   * aio_cancel(fd, NULL) on an open fd with no request does not fail. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/2-2.c.
   */
  { title: 'aio_cancel(fd, NULL) on an idle fd does not fail (LTP aio_cancel/2-2)', body: (impl, env) => {
    const fd = tempFile(env);
    assert.notEqual(impl.aio_cancel(fd, null), -1, `aio_cancel: errno ${impl.errno()}`);
  } },
  /*
   * aio_cancel(fd, NULL) while one request is in progress returns AIO_NOTCANCELED: eight writes on
   * a datagram socket; once write 1 has completed (write 2 now blocks), writes 0 and 1 are 0,
   * write 2 is EINPROGRESS, writes 3 to 7 are ECANCELED (FIFO order, one request at a time per
   * fd). Ported from LTP open_posix_testsuite conformance/interfaces/aio_cancel/7-1.c.
   */
  (() => {
    const BUF_NB = 8;
    const BLOCKED_TASK = 2;
    return { title: 'aio_cancel(fd, NULL) with a request running is AIO_NOTCANCELED (LTP aio_cancel/7-1)', body: (impl) => {
      const setup = setupSocketAio(impl, BUF_NB);
      try {
        for (const [i, cb] of setup.cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
        let err = EINPROGRESS;
        for (let i = 0; i < 1000; i++) {
          err = impl.aio_error(setup.cbs[BLOCKED_TASK - 1]!);
          sleepSync(10);
          if (err <= 0) break;
        }
        assert.equal(err, 0, `request ${BLOCKED_TASK - 1} did not complete`);
        assert.equal(impl.aio_cancel(setup.fds[0], null), impl.constants.AIO_NOTCANCELED, 'aio_cancel');
        for (let i = 0; i < BUF_NB; i++) {
          const expected = i < BLOCKED_TASK ? 0 : i === BLOCKED_TASK ? EINPROGRESS : ECANCELED;
          assert.equal(impl.aio_error(setup.cbs[i]!), expected, `request ${i}`);
        }
      } finally {
        cleanupSocketAio(impl, setup);
      }
    } };
  })(),
  /*
   * aio_cancel(fd, &aiocb) on a request just submitted does not fail: it returns AIO_CANCELED,
   * AIO_ALLDONE, or AIO_NOTCANCELED (and the request then completes). Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/1-1.c.
   */
  { title: 'aio_cancel of one just-submitted write does not fail (LTP aio_cancel/1-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: impl.buffer(1024).fill(0xaa), aio_nbytes: 1024 });
    assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
    const result = impl.aio_cancel(fd, cb);
    assert.notEqual(result, -1, `aio_cancel: errno ${impl.errno()}`);
    if (result === impl.constants.AIO_NOTCANCELED) waitWhileInProgress(impl, cb);
  } },
  /*
   * aio_cancel(fd, &aiocb) of a request that has not started returns AIO_CANCELED; that request
   * is ECANCELED and the other queued ones stay EINPROGRESS. Eight writes on a datagram socket
   * (the third blocks); request 5 is cancelled; requests 3 to 7 are checked. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_cancel/6-1.c.
   */
  (() => {
    const WRITE_COUNT = 8;
    const MAX_COMPLETE = 3;
    const CANCELED_TASK = 5;
    return { title: 'aio_cancel of one queued request cancels only it (LTP aio_cancel/6-1)', body: (impl) => {
      const setup = setupSocketAio(impl, WRITE_COUNT);
      try {
        for (const [i, cb] of setup.cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
        assert.equal(impl.aio_cancel(setup.fds[0], setup.cbs[CANCELED_TASK]!), impl.constants.AIO_CANCELED, `aio_cancel (errno ${impl.errno()})`);
        for (let i = MAX_COMPLETE; i < WRITE_COUNT; i++) {
          assert.equal(impl.aio_error(setup.cbs[i]!), i === CANCELED_TASK ? ECANCELED : EINPROGRESS, `request ${i}`);
        }
      } finally {
        cleanupSocketAio(impl, setup);
      }
    } };
  })(),
  /*
   * A request that is running when aio_cancel(fd, NULL) is called is not cancelled and its aiocb
   * is left as it was: eight writes on a datagram socket; once write 1 has completed, write 2 is
   * blocked in the kernel. aio_cancel returns AIO_NOTCANCELED; writes 0 and 1 have status 0,
   * write 2 is EINPROGRESS with fildes, buf, nbytes, offset and sigev_notify unchanged, writes 3
   * to 7 are ECANCELED. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_cancel/5-1.c.
   */
  (() => {
    const BUF_NB = 8;
    const BLOCKED_TASK = 2;
    return { title: 'a running request is AIO_NOTCANCELED and its aiocb unmodified (LTP aio_cancel/5-1)', body: (impl) => {
      const setup = setupSocketAio(impl, BUF_NB);
      try {
        for (const [i, cb] of setup.cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
        // Wait for write #1 to complete: write #2 then starts and blocks on the full socket.
        let err = EINPROGRESS;
        for (let i = 0; i < 1000; i++) {
          err = impl.aio_error(setup.cbs[BLOCKED_TASK - 1]!);
          sleepSync(10);
          if (err <= 0) break;
        }
        assert.equal(err, 0, `request ${BLOCKED_TASK - 1} did not complete`);
        assert.equal(impl.aio_cancel(setup.fds[0], null), impl.constants.AIO_NOTCANCELED, 'aio_cancel');
        for (let i = 0; i < BUF_NB; i++) {
          const cb = setup.cbs[i]!;
          const status = impl.aio_error(cb);
          if (i < BLOCKED_TASK) assert.equal(status, 0, `request ${i}`);
          else if (i > BLOCKED_TASK) assert.equal(status, ECANCELED, `request ${i}`);
          else {
            assert.equal(status, EINPROGRESS, `request ${i}`);
            assert.equal(cb.aio_fildes, setup.fds[0], 'aio_fildes');
            assert.equal(cb.aio_buf, setup.bufs[i], 'aio_buf');
            assert.equal(cb.aio_nbytes, setup.bufsize, 'aio_nbytes');
            assert.equal(cb.aio_offset, 0, 'aio_offset');
            assert.equal(cb.sigev_notify, impl.constants.SIGEV_NONE, 'sigev_notify');
          }
        }
      } finally {
        cleanupSocketAio(impl, setup);
      }
    } };
  })(),
  /*
   * aio_cancel(-1, &aiocb) with aio_fildes -1 too fails with EBADF. glibc's second case (the
   * aiocb says -2: fds that do not match) only prints a warning, so here it only adds a note.
   * Ported from glibc rt/tst-aio7.c ("aio_cancel() detecting invalid file descriptor").
   */
  { title: 'aio_cancel(-1, aiocb with fd -1) is -1 with EBADF (glibc tst-aio7)', body: (impl, env) => {
    const cb = impl.aiocb({ aio_fildes: -1, aio_offset: 0, aio_buf: null, aio_nbytes: 0, aio_reqprio: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    const result = impl.aio_cancel(-1, cb);
    if (result === -1 && impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
    assert.equal(result, -1, 'aio_cancel( -1, {-1..} ) did not return -1');
    assert.equal(impl.errno(), EBADF, 'aio_cancel( -1, {-1..} ): errno != EBADF');
    cb.assign({ aio_fildes: -2 });
    const mismatched = impl.aio_cancel(-1, cb);
    if (mismatched !== -1 || impl.errno() !== EBADF) env.note(`aio_cancel( -1, {-2..} ) gave ${mismatched}, errno ${impl.errno()} (glibc's test only warns)`);
  } },
]);
