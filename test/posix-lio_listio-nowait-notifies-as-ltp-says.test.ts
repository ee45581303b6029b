/**
 * lio_listio(LIO_NOWAIT) returns 0 at once, even while its I/O is blocked; every entry's own
 * notification fires (not for LIO_NOP entries), and the list's signal comes after every entry; a
 * bad fd entry fails alone.
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/lio_listio: one case per C test
 * (each names its origin), every one run against glibc's own AIO and the syslet shim
 * (test/helpers/posix-differential.ts: one child process per implementation, the cases one after
 * another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EINPROGRESS, assertSucceeded, tempFile } from './helpers/posix-c.js';
import { closeSync, readSync } from 'node:fs';
import { SOCK_DGRAM, sendBufferSize, socketpair } from './helpers/posix-os.js';

differentialCases(import.meta.url, [
  /*
   * LIO_READ and LIO_WRITE entries in one lio_listio(LIO_NOWAIT) behave as aio_read and aio_write
   * (same notification and statuses): four writes then six reads of 1 KiB at offset 0, each
   * signalling; ten signals, the list signal, every write returned 1024 and every read 1024 or 0:
   * POSIX leaves the order of a list's entries unspecified, so a read may run before any write
   * of the empty file (LTP's check `(err != 0) && (ret != BUF_SIZE)` allows it too). Ported from LTP
   * open_posix_testsuite conformance/interfaces/lio_listio/15-1.c (see
   * lio_listio-ignores-null-entries for why the count is read after waiting for it).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    return { title: 'mixed LIO_READ and LIO_WRITE entries each complete and signal (LTP lio_listio/15-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_READ, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({
          aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: i > 3 ? LIO_READ : LIO_WRITE,
          aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
        }),
      );
      const perRequest = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      assert.equal((await perRequest.waitFor(COUNT, 20_000)).length, COUNT, 'one signal per entry');
      for (const [i, cb] of cbs.entries()) {
        if (i <= 3) {
          assertSucceeded(impl, cb, SIZE, `write ${i}`);
          continue;
        }
        assert.equal(impl.aio_error(cb), 0, `read ${i}: aio_error`);
        const bytes = impl.aio_return(cb);
        assert.ok(bytes === SIZE || bytes === 0, `read ${i} returned ${bytes}`);
        if (bytes === 0) env.note(`read ${i} ran before every write of the same list (0 bytes read)`);
      }
    } };
  })(),
  /*
   * LIO_NOP entries are ignored: ten signalling entries of which two are LIO_NOP give eight
   * per-request signals, then the list signal, and the eight writes succeeded. Ported from LTP
   * open_posix_testsuite conformance/interfaces/lio_listio/7-1.c (see lio_listio-ignores-null-
   * entries for why the count is read after waiting for it).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    const NOPS = new Set([1, 7]);
    return { title: 'LIO_NOP entries are ignored (LTP lio_listio/7-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOP, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({
          aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: NOPS.has(i) ? LIO_NOP : LIO_WRITE,
          aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
        }),
      );
      const perRequest = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      assert.equal((await perRequest.waitFor(COUNT - NOPS.size, 20_000)).length, COUNT - NOPS.size, 'per-request signals');
      for (const [i, cb] of cbs.entries()) if (!NOPS.has(i)) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * One lio_listio(LIO_NOWAIT) entry with fd -1 does not stop the others: the call returns 0,
   * all ten entries signal (the failed one too), the list signal comes, and the nine others
   * succeeded. Ported from LTP open_posix_testsuite conformance/interfaces/lio_listio/14-1.c (see
   * lio_listio-ignores-null-entries for why the count is read after waiting for it).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    const BAD = 2;
    return { title: 'a LIO_NOWAIT entry with fd -1 does not stop the others (LTP lio_listio/14-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({
          aio_fildes: i === BAD ? -1 : fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_WRITE,
          aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
        }),
      );
      const perRequest = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      assert.equal((await perRequest.waitFor(COUNT, 20_000)).length, COUNT, 'one signal per entry');
      for (const [i, cb] of cbs.entries()) if (i !== BAD) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * With LIO_NOWAIT, the list signal comes once every entry has completed: ten writes each signalling
   * SIGRTMIN+1 (sival_int = index), the list signalling SIGRTMIN+2; after the list signal every
   * write has succeeded. Ported from LTP open_posix_testsuite
   * conformance/interfaces/lio_listio/3-1.c.
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    return { title: 'the list signal comes once every entry has completed (LTP lio_listio/3-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({
          aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_WRITE,
          aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
        }),
      );
      impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * lio_listio(LIO_NOWAIT) returns 0 while its I/O is still blocked, and signals the list only
   * when every entry has completed: eight datagram writes on a socket that holds two; no list
   * signal before the other end reads; then the test reads one datagram per request (blocking
   * reads, as LTP's read_all), the list signal arrives (LTP waits 5 s, this port up to 20 s, for a loaded machine) and
   * every write succeeded.
   * Ported from LTP open_posix_testsuite conformance/interfaces/lio_listio/2-1.c.
   */
  (() => {
    const COUNT = 8;
    return { title: 'lio_listio(LIO_NOWAIT) returns while the I/O is blocked (LTP lio_listio/2-1)', body: async (impl) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fds = socketpair(SOCK_DGRAM);
      const bufsize = Math.floor(sendBufferSize(fds[0]) / 2);
      const bufs = impl.buffer(COUNT * bufsize);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({ aio_fildes: fds[0], aio_offset: i * bufsize, aio_buf: bufs.subarray(i * bufsize, (i + 1) * bufsize), aio_nbytes: bufsize, aio_lio_opcode: LIO_WRITE }),
      );
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal(listSignal.received().length, 0, 'the list signalled completion too early');
      // LTP's read_all: one blocking read per request that succeeded or is still in progress.
      const sink = Buffer.alloc(bufsize);
      for (const cb of cbs) {
        const err = impl.aio_error(cb);
        if (err === 0 || err === EINPROGRESS) readSync(fds[1], sink, 0, bufsize, null);
      }
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, bufsize, `request ${i}`);
      closeSync(fds[0]);
      closeSync(fds[1]);
    } };
  })(),
  /*
   * With LIO_NOWAIT, lio_listio(LIO_NOWAIT) returns 0 and the entries complete: ten writes each signalling
   * SIGRTMIN+1 (sival_int = index), the list signalling SIGRTMIN+2; after the list signal every
   * write has succeeded. Ported from LTP open_posix_testsuite
   * conformance/interfaces/lio_listio/10-1.c.
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    return { title: 'lio_listio(LIO_NOWAIT) returns 0 and the entries complete (LTP lio_listio/10-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({
          aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_WRITE,
          aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
        }),
      );
      impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
]);
