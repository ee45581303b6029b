/**
 * A SIGEV_THREAD request calls its sigev_notify_function with its sigev_value, for a lio_listio
 * entry with LIO_WAIT or LIO_NOWAIT and for aio_read.
 *
 * Ported from glibc rt/tst-aio2.c, rt/tst-aio3.c and rt/tst-aio5.c: one case per C test (each
 * names its origin), every one run against glibc's own AIO and the syslet shim
 * (test/helpers/posix-differential.ts: one child process per implementation, the cases one after
 * another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { ENOSYS, tempFile, until } from './helpers/posix-c.js';

differentialCases(import.meta.url, [
  /*
   * A lio_listio(LIO_WAIT) entry with SIGEV_THREAD: lio_listio returns 0, and the entry's
   * function is called with its sigev_value (NULL). glibc's test meets the function on a barrier;
   * here the test waits on the event loop for the one call. Ported from glibc rt/tst-aio2.c.
   */
  { title: 'a LIO_WAIT entry\'s SIGEV_THREAD function runs (glibc tst-aio2)', body: async (impl, env) => {
    const fd = tempFile(env);
    const text = Buffer.from('Hello World\n');
    const buf = impl.buffer(text.length);
    text.copy(buf);
    const calls: (number | bigint)[] = [];
    const cb = impl.aiocb({
      aio_fildes: fd, aio_lio_opcode: impl.constants.LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: text.length, aio_offset: 0,
      aio_sigevent: { sigev_notify: impl.constants.SIGEV_THREAD, sigev_notify_function: (value) => calls.push(value), sigev_value: 0 },
    });
    if (impl.lio_listio(impl.constants.LIO_WAIT, [cb], 1, null) < 0) {
      if (impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
      assert.fail(`lio_listio failed: errno ${impl.errno()}`);
    }
    assert.ok(await until(() => calls.length > 0, 20_000), 'the notification function was not called');
    assert.deepEqual(calls.map(Number), [0]);
  } },
  /*
   * A lio_listio(LIO_NOWAIT) entry with SIGEV_THREAD: aio_suspend on it returns 0, and the entry's
   * function is called. glibc's test meets the function on a barrier; here the test waits on the
   * event loop for the call. Ported from glibc rt/tst-aio3.c.
   */
  { title: 'a LIO_NOWAIT entry\'s SIGEV_THREAD function runs after aio_suspend (glibc tst-aio3)', body: async (impl, env) => {
    const fd = tempFile(env);
    const text = Buffer.from('Hello World\n');
    const buf = impl.buffer(text.length);
    text.copy(buf);
    const calls: (number | bigint)[] = [];
    const cb = impl.aiocb({
      aio_fildes: fd, aio_lio_opcode: impl.constants.LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: text.length, aio_offset: 0,
      aio_sigevent: { sigev_notify: impl.constants.SIGEV_THREAD, sigev_notify_function: (value) => calls.push(value), sigev_value: 0 },
    });
    if (impl.lio_listio(impl.constants.LIO_NOWAIT, [cb], 1, null) < 0) {
      if (impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
      assert.fail(`lio_listio failed: errno ${impl.errno()}`);
    }
    assert.equal(impl.aio_suspend([cb], 1, null), 0, `aio_suspend failed: errno ${impl.errno()}`);
    assert.ok(await until(() => calls.length > 0, 20_000), 'the notification function was not called');
  } },
  /*
   * The SIGEV_THREAD function is called with sigev_value (sival_int 27): for an aio_write, and
   * for a lio_listio(LIO_NOWAIT) whose entry and list both ask for it. Ported from glibc
   * rt/tst-aio5.c.
   */
  (() => {
    const MY_SIVAL = 27;
    return { title: 'the SIGEV_THREAD function gets sigev_value, for aio_write and lio_listio (glibc tst-aio5)', body: async (impl, env) => {
      const { SIGEV_THREAD, LIO_WRITE, LIO_NOWAIT } = impl.constants;
      const fd = tempFile(env);
      const text = Buffer.from('Hello World\n');
      const buf = impl.buffer(text.length);
      text.copy(buf);
      const values: number[] = [];
      // sival_int is the low 32 bits of the union.
      const callback = (value: number | bigint): void => {
        values.push(Number(BigInt.asIntN(32, BigInt(value))));
      };
      const cb = impl.aiocb({
        aio_fildes: fd, aio_lio_opcode: LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: text.length, aio_offset: 0,
        aio_sigevent: { sigev_notify: SIGEV_THREAD, sigev_notify_function: callback, sigev_value: MY_SIVAL },
      });
      if (impl.aio_write(cb) < 0) {
        if (impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
        assert.fail(`aio_write failed: errno ${impl.errno()}`);
      }
      assert.ok(await until(() => values.length > 0, 20_000), 'the function was not called after aio_write');
      const afterWrite = values.length;
      assert.equal(impl.lio_listio(LIO_NOWAIT, [cb], 1, { sigev_notify: SIGEV_THREAD, sigev_notify_function: callback, sigev_value: MY_SIVAL }), 0, `lio_listio failed: errno ${impl.errno()}`);
      assert.ok(await until(() => values.length > afterWrite, 20_000), 'the function was not called after lio_listio');
      for (const value of values) assert.equal(value, MY_SIVAL, 'the function received a wrong value');
    } };
  })(),
]);
