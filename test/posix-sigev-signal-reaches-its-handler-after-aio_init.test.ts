/**
 * After aio_init, a SIGEV_SIGNAL request's signal reaches the handler the program installed. Alone
 * in its file: aio_init takes effect only before a process's first request.
 *
 * Ported from glibc rt/tst-aio4.c: one case per C test (each names its origin), every one run
 * against glibc's own AIO and the syslet shim (test/helpers/posix-differential.ts: one child
 * process per implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { ENOSYS, tempFile } from './helpers/posix-c.js';

differentialCases(import.meta.url, [
  /*
   * After aio_init({10 threads, 20 requests}), SIGEV_SIGNAL notification delivers the chosen
   * signal ((SIGRTMIN + SIGRTMAX) / 2) to a SA_RESTART handler: once for an aio_write, and again
   * for a lio_listio(LIO_NOWAIT) whose entry and list both ask for it. Ported from glibc
   * rt/tst-aio4.c.
   */
  { title: 'SIGEV_SIGNAL reaches the handler, for aio_write and lio_listio (glibc tst-aio4)', body: async (impl, env) => {
    const { SIGRTMIN, SIGRTMAX, SIGEV_SIGNAL, LIO_WRITE, LIO_NOWAIT } = impl.constants;
    const mySigno = Math.floor((SIGRTMAX + SIGRTMIN) / 2);
    const fd = tempFile(env);
    // Test also aio_init (struct aioinit init = {10, 20, 0}).
    impl.aio_init({ aio_threads: 10, aio_num: 20, aio_idle_time: 0 });
    const text = Buffer.from('Hello World\n');
    const buf = impl.buffer(text.length);
    text.copy(buf);
    const cb = impl.aiocb({
      aio_fildes: fd, aio_lio_opcode: LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: text.length, aio_offset: 0,
      aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: mySigno, sigev_value: 0 },
    });
    const handler = impl.catchSignal(mySigno, { restart: true });
    if (impl.aio_write(cb) < 0) {
      if (impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
      assert.fail(`aio_write failed: errno ${impl.errno()}`);
    }
    const first = await handler.waitFor(1, 20_000);
    assert.ok(first.length >= 1, 'no signal after aio_write');
    assert.equal(first[0]!.signo, mySigno, 'signal handler received wrong signal');
    const before = first.length;
    assert.equal(impl.lio_listio(LIO_NOWAIT, [cb], 1, { sigev_notify: SIGEV_SIGNAL, sigev_signo: mySigno }), 0, `lio_listio failed: errno ${impl.errno()}`);
    const second = await handler.waitFor(before + 1, 20_000);
    assert.ok(second.length > before, 'no signal after lio_listio');
    for (const info of second) assert.equal(info.signo, mySigno, 'signal handler received wrong signal');
  } },
]);
