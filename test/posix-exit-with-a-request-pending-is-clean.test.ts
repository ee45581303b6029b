/**
 * A program that returns from main (process.exit(0)) with a read still blocked exits cleanly, with
 * status 0. Alone in its file: it ends its process.
 *
 * Ported from glibc rt/tst-aio7.c: one case per C test (each names its origin), every one run
 * against glibc's own AIO and the syslet shim (test/helpers/posix-differential.ts: one child
 * process per implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EINPROGRESS } from './helpers/posix-c.js';
import { pipe } from './helpers/posix-os.js';

differentialCases(import.meta.url, [
  /*
   * A program may exit while a request is still pending (a read of a pipe nobody writes): the
   * process must end normally, with status 0. Ported from glibc rt/tst-aio7.c ("Thus we also test
   * that exiting with an outstanding request works"); the harness ends the child with
   * process.exit(0) right after this body and requires a clean exit.
   */
  { title: 'exiting with a request pending exits cleanly (glibc tst-aio7)', body: (impl) => {
    const [readEnd] = pipe();
    const cb = impl.aiocb({ aio_fildes: readEnd, aio_offset: 0, aio_buf: impl.buffer(8), aio_nbytes: 8, aio_reqprio: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    assert.equal(impl.aio_read(cb), 0, `aio_read: errno ${impl.errno()}`);
    assert.equal(impl.aio_error(cb), EINPROGRESS);
  } },
], { cleanExit: true });
