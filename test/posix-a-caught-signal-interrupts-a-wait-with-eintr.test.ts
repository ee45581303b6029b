/**
 * A signal the program catches (a handler without SA_RESTART in C; receiveSignals here), sent to
 * the thread blocked in aio_suspend or lio_listio(LIO_WAIT), makes the call return -1/EINTR.
 *
 * Ported from glibc rt/tst-aio9.c and rt/tst-aio10.c: one case per C test (each names its origin),
 * every one run against glibc's own AIO and the syslet shim (test/helpers/posix-differential.ts:
 * one child process per implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { constants } from 'node:os';
import { differentialCases } from './helpers/posix-differential.js';
import { EINTR } from './helpers/posix-c.js';
import { jsThreadId, pipe, signalThreadAfter } from './helpers/posix-os.js';

differentialCases(import.meta.url, [
  /*
   * A signal caught by a handler (SIGUSR1, no SA_RESTART) and sent to the thread blocked in
   * lio_listio(LIO_WAIT) on a read of an empty pipe makes the call return -1 with EINTR. glibc's
   * test has a second thread pthread_kill the main thread after 2 s; here a POSIX timer sends the
   * signal to the JS thread after 300 ms (SIGEV_THREAD_ID), so nothing of ours has to run while
   * the JS thread is blocked. Ported from glibc rt/tst-aio10.c.
   */
  { title: 'lio_listio(LIO_WAIT) interrupted by a caught signal is EINTR (glibc tst-aio10)', body: (impl) => {
    const SIGUSR1 = constants.signals.SIGUSR1;
    impl.catchSignal(SIGUSR1, { restart: false });
    const [readEnd] = pipe();
    const req = impl.aiocb({ aio_fildes: readEnd, aio_lio_opcode: impl.constants.LIO_READ, aio_reqprio: 0, aio_offset: 0, aio_buf: impl.buffer(42), aio_nbytes: 42, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    const cancelTimer = signalThreadAfter(jsThreadId(), SIGUSR1, 300);
    const result = impl.lio_listio(impl.constants.LIO_WAIT, [req], 1, null);
    const errno = impl.errno();
    cancelTimer();
    assert.equal(result, -1, 'lio_listio succeeded');
    assert.equal(errno, EINTR, `lio_listio did not return EINTR: ${result} (${errno})`);
  } },
  /*
   * A signal caught by a handler (SIGUSR1, no SA_RESTART) and sent to the thread blocked in
   * aio_suspend on a read of an empty pipe makes the call return -1 with EINTR. glibc's
   * test has a second thread pthread_kill the main thread after 2 s; here a POSIX timer sends the
   * signal to the JS thread after 300 ms (SIGEV_THREAD_ID), so nothing of ours has to run while
   * the JS thread is blocked. Ported from glibc rt/tst-aio9.c.
   */
  { title: 'aio_suspend interrupted by a caught signal is EINTR (glibc tst-aio9)', body: (impl) => {
    const SIGUSR1 = constants.signals.SIGUSR1;
    impl.catchSignal(SIGUSR1, { restart: false });
    const [readEnd] = pipe();
    const req = impl.aiocb({ aio_fildes: readEnd, aio_lio_opcode: impl.constants.LIO_READ, aio_reqprio: 0, aio_offset: 0, aio_buf: impl.buffer(42), aio_nbytes: 42, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    assert.equal(impl.aio_read(req), 0, `aio_read failed: errno ${impl.errno()}`);
    const cancelTimer = signalThreadAfter(jsThreadId(), SIGUSR1, 300);
    const result = impl.aio_suspend([req], 1, null);
    const errno = impl.errno();
    cancelTimer();
    assert.equal(result, -1, 'aio_suspend succeeded');
    assert.equal(errno, EINTR, 'aio_suspend did not return EINTR');
  } },
]);
