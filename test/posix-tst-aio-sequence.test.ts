/**
 * glibc's rt/tst-aio.c sequence on ten 100-byte parts of one file: aio_write builds it, aio_read
 * fills the buffer, lio_listio(LIO_WAIT) writes are in the file on return, aio_fsync completes
 * after the ten writes, aio_cancel of all and of each ends every request done or cancelled; and
 * the *64 names run the whole sequence (rt/tst-aio64.c).
 *
 * Ported from glibc rt/tst-aio.c and rt/tst-aio64.c: one case per C test (each names its origin),
 * every one run against glibc's own AIO and the syslet shim (test/helpers/posix-differential.ts:
 * one child process per implementation, the cases one after another).
 */
import { differentialCases } from './helpers/posix-differential.js';
import { tempFile, writeAll } from './helpers/posix-c.js';
import { cancelAll, cancelEach, fsyncAfterTen, lioWriteTen, prepare, readTen, writeTen } from './helpers/posix-tst-aio-steps.js';

differentialCases(import.meta.url, [
  /*
   * aio_cancel(fd, NULL) right after ten aio_writes: every request then ends, either successfully
   * or with ECANCELED (aio_return -1). Ported from glibc rt/tst-aio.c ("Test aio_cancel").
   */
  { title: 'after aio_cancel(fd, NULL) each request ends done or ECANCELED (glibc tst-aio: aio_cancel)', body: (impl, env) => {
    cancelAll(prepare(impl, tempFile(env)), env.note);
  } },
  /*
   * aio_cancel(fd, &aiocb) of each of ten just-submitted aio_writes: every request then ends,
   * either successfully or with ECANCELED. Ported from glibc rt/tst-aio.c ("Another test for
   * aio_cancel").
   */
  { title: 'after aio_cancel of each request it ends done or ECANCELED (glibc tst-aio: aio_cancel per request)', body: (impl, env) => {
    cancelEach(prepare(impl, tempFile(env)), env.note);
  } },
  /*
   * aio_fsync(O_SYNC) after ten aio_writes completes only once all the data is in the file: the
   * test waits for the fsync alone, then compares the file. Ported from glibc rt/tst-aio.c ("Test
   * aio_fsync").
   */
  { title: 'aio_fsync completes after the ten writes before it (glibc tst-aio: aio_fsync)', body: (impl, env) => {
    fsyncAfterTen(prepare(impl, tempFile(env)));
  } },
  /*
   * lio_listio(LIO_WAIT) of ten writes returns with all of them in the file. Ported from glibc
   * rt/tst-aio.c ("Test lio_listio").
   */
  { title: 'lio_listio(LIO_WAIT) writes are in the file on return (glibc tst-aio: lio_listio)', body: (impl, env) => {
    lioWriteTen(prepare(impl, tempFile(env)));
  } },
  /*
   * Ten aio_reads of 100 bytes at offsets 0..900, submitted last first and waited for with
   * aio_suspend, fill the buffer with the file. Ported from glibc rt/tst-aio.c ("Read now as
   * we've written it"); the file is written with write(2) first instead of by the aio_write step.
   */
  { title: 'ten aio_reads at their offsets fill the buffer (glibc tst-aio: aio_read)', body: (impl, env) => {
    const fd = tempFile(env);
    const run = prepare(impl, fd);
    writeAll(fd, run.buf);
    readTen(run);
  } },
  /*
   * Ten aio_writes of 100 bytes at offsets 0..900, submitted last first and waited for with
   * aio_suspend, build the 1000-byte file. Ported from glibc rt/tst-aio.c ("First a simple test").
   */
  { title: 'ten aio_writes at their offsets build the file (glibc tst-aio: aio_write)', body: (impl, env) => {
    writeTen(prepare(impl, tempFile(env)));
  } },
  /*
   * The LFS names (aio_write64, aio_read64, aio_suspend64, aio_error64, aio_return64,
   * lio_listio64, aio_fsync64, aio_cancel64) behave as the POSIX names: tst-aio's whole sequence
   * through them, on one file. Ported from glibc rt/tst-aio64.c.
   */
  { title: 'the *64 names run tst-aio\'s sequence (glibc tst-aio64)', body: (impl, env) => {
    const run = prepare(impl.lfs, tempFile(env));
    writeTen(run);
    readTen(run);
    lioWriteTen(run);
    fsyncAfterTen(run);
    cancelAll(run, env.note);
    cancelEach(run, env.note);
  } },
]);
