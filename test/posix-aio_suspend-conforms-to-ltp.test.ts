/**
 * aio_suspend returns at once when a listed request is done, ignores NULL entries, waits for one
 * entry of a list, and gives EAGAIN when its timeout passes first — never early.
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/aio_suspend and glibc
 * rt/tst-aio6.c, rt/tst-aio7.c: one case per C test (each names its origin), every one run against
 * glibc's own AIO and the syslet shim (test/helpers/posix-differential.ts: one child process per
 * implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EAGAIN, EINPROGRESS, ENOSYS, assertSucceeded, tempFile, waitWhileInProgress, writeAll } from './helpers/posix-c.js';
import { evictFromPageCache, pipe, sleepSync } from './helpers/posix-os.js';
import { constants } from 'node:fs';

differentialCases(import.meta.url, [
  /*
   * aio_suspend with a 1 ms timeout on a lio_listio entry still in progress returns -1 with
   * EAGAIN; the list signal comes later and every read succeeds. LTP repeats the run with larger
   * buffers (by 1/4 each time, without limit) while the entry completes within the millisecond;
   * here the file is evicted from the page cache and the repeats stop after 8, when the run is
   * reported as UNRESOLVED (a skip). Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_suspend/9-1.c.
   */
  (() => {
    const COUNT = 10;
    const SELECTED = 6;
    return { title: 'aio_suspend with 1 ms timeout on a pending entry is EAGAIN (LTP aio_suspend/9-1)', body: async (impl, env) => {
      const { LIO_READ, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const listDone = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      let size = 64 * 1024;
      for (let round = 0; round < 8; round++, size += Math.floor(size / 4)) {
        const fd = tempFile(env);
        writeAll(fd, Buffer.alloc(COUNT * size, 0x44));
        evictFromPageCache(fd);
        const bufs = impl.buffer(COUNT * size);
        const cbs = Array.from({ length: COUNT }, (_, i) =>
          impl.aiocb({ aio_fildes: fd, aio_offset: i * size, aio_buf: bufs.subarray(i * size, (i + 1) * size), aio_nbytes: size, aio_lio_opcode: LIO_READ }),
        );
        const signalsBefore = listDone.received().length;
        assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
        const result = impl.aio_suspend([null, cbs[SELECTED]!], 2, { tv_sec: 0, tv_nsec: 1_000_000 });
        const errno = impl.errno();
        const stillPending = impl.aio_error(cbs[SELECTED]!) === EINPROGRESS;
        assert.equal((await listDone.waitFor(signalsBefore + 1, 20_000)).length, signalsBefore + 1, 'the list signal');
        if (!stillPending) continue; // "too fast": LTP redoes the run with larger buffers
        assert.equal(result, -1, 'aio_suspend should time out');
        assert.equal(errno, EAGAIN, 'errno');
        for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, size, `request ${i}`);
        return;
      }
      env.skip('UNRESOLVED: after 8 runs with growing buffers, the entry had always completed within the 1 ms timeout');
    } };
  })(),
  /*
   * aio_suspend ignores NULL entries: a list of 8 with three aiocbs at 2, 5 and 6 returns 0 once
   * one of them has completed, and every write then succeeds. Ported from LTP
   * open_posix_testsuite conformance/interfaces/aio_suspend/3-1.c.
   */
  { title: 'aio_suspend ignores NULL entries (LTP aio_suspend/3-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const buf = impl.buffer(1024);
    const cbs = [0, 1, 2].map((i) => impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_offset: i * 1024, aio_nbytes: 1024 }));
    for (const [i, cb] of cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
    const list = [null, null, cbs[0]!, null, null, cbs[1]!, cbs[2]!, null];
    assert.equal(impl.aio_suspend(list, 8, null), 0, `aio_suspend: errno ${impl.errno()}`);
    for (const [i, cb] of cbs.entries()) {
      waitWhileInProgress(impl, cb);
      assert.notEqual(impl.aio_return(cb), -1, `aio_return ${i}`);
    }
  } },
  /*
   * aio_suspend whose timeout (10 ns) passes before the listed request completes returns -1 with
   * EAGAIN, and that request's own completion signal has not arrived; the list signal comes later
   * and every write succeeds. Ten writes to an O_SYNC file by lio_listio(LIO_NOWAIT), the seventh
   * much larger and signalling on completion. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_suspend/4-1.c (2 MiB and 20 MiB writes there, 256 KiB and 4 MiB
   * here).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 256 * 1024;
    const SELECTED = 6;
    const SELECTED_SIZE = 4 * 1024 * 1024;
    return { title: 'aio_suspend times out with EAGAIN while its entry is pending (LTP aio_suspend/4-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env, constants.O_SYNC | constants.O_CREAT | constants.O_RDWR | constants.O_EXCL);
      let offset = 0;
      const cbs = Array.from({ length: COUNT }, (_, i) => {
        const size = i === SELECTED ? SELECTED_SIZE : SIZE;
        const cb = impl.aiocb({ aio_fildes: fd, aio_offset: offset, aio_buf: impl.buffer(size), aio_nbytes: size, aio_lio_opcode: LIO_WRITE });
        if (i === SELECTED) cb.assign({ aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i } });
        offset += size;
        return cb;
      });
      const selectedDone = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listDone = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      const selected = cbs[SELECTED]!;
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal(selectedDone.received().length, 0, `request ${SELECTED} signalled completion before aio_suspend`);
      const result = impl.aio_suspend([null, selected], 2, { tv_sec: 0, tv_nsec: 10 });
      const errno = impl.errno();
      assert.equal(selectedDone.received().length, 0, `request ${SELECTED} signalled completion during the timed-out aio_suspend`);
      assert.equal(result, -1, 'aio_suspend should time out');
      assert.equal(errno, EAGAIN, 'errno');
      assert.equal((await listDone.waitFor(1, 20_000)).length, 1, 'the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, i === SELECTED ? SELECTED_SIZE : SIZE, `request ${i}`);
    } };
  })(),
  /*
   * aio_suspend with a NULL timeout returns 0 once the one request it lists has completed: ten
   * reads submitted by lio_listio(LIO_NOWAIT) with a list signal, aio_suspend on [NULL, read 6];
   * then the list signal arrives and every read has succeeded. LTP reports UNRESOLVED (here: a
   * skip) when read 6 has completed before aio_suspend is called; the file is evicted from the
   * page cache first so that the reads take time. Ported from LTP open_posix_testsuite
   * conformance/interfaces/aio_suspend/1-1.c (1 MiB reads there, 256 KiB here).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 256 * 1024;
    const SELECTED = 6;
    return { title: 'aio_suspend returns 0 when its listed lio_listio entry completes (LTP aio_suspend/1-1)', body: async (impl, env) => {
      const { LIO_READ, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      writeAll(fd, Buffer.alloc(COUNT * SIZE, 0x33));
      evictFromPageCache(fd);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({ aio_fildes: fd, aio_offset: i * SIZE, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_READ }),
      );
      const listDone = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const selected = cbs[SELECTED]!;
      assert.equal(impl.lio_listio(LIO_NOWAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      if (impl.aio_error(selected) === 0) {
        // LTP's process exits here; this one runs more cases, and the list signal, still to come,
        // would interrupt the next one's wait (a caught signal ends a wait with EINTR).
        await listDone.waitFor(1, 20_000);
        env.skip(`UNRESOLVED (as LTP reports it): request ${SELECTED} had completed before aio_suspend`);
      }
      assert.equal(impl.aio_suspend([null, selected], 2, null), 0, `aio_suspend: errno ${impl.errno()}`);
      assertSucceeded(impl, selected, SIZE, `request ${SELECTED} after aio_suspend`);
      assert.equal((await listDone.waitFor(1, 20_000)).length, 1, 'the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * aio_suspend on a read of an empty pipe times out: -1 with EAGAIN, and not before the timeout.
   * glibc's test uses 3 s and only asks that at least one second has passed; here the timeout is
   * 1 s and the wait must have lasted it (less a millisecond for clock granularity). Ported from
   * glibc rt/tst-aio6.c (and tst-aio6-time64.c, the same source).
   */
  { title: 'aio_suspend on a never-ready pipe read times out with EAGAIN, not early (glibc tst-aio6)', body: (impl, env) => {
    const [readEnd] = pipe();
    const buf = impl.buffer(100);
    const cb = impl.aiocb({ aio_fildes: readEnd, aio_lio_opcode: impl.constants.LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: 99, aio_offset: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    if (impl.aio_read(cb) < 0) {
      if (impl.errno() === ENOSYS) env.skip('no aio support in this configuration');
      assert.fail(`aio_read failed: errno ${impl.errno()}`);
    }
    const before = performance.now();
    const result = impl.aio_suspend([cb], 1, { tv_sec: 1, tv_nsec: 0 });
    const errno = impl.errno();
    const elapsed = performance.now() - before;
    assert.equal(result, -1, "aio_suspend() didn't return -1");
    assert.equal(errno, EAGAIN, `error not set to EAGAIN (errno ${errno}, after ${elapsed.toFixed(0)} ms)`);
    assert.ok(elapsed >= 999, `timeout came too early: after ${elapsed.toFixed(1)} ms`);
  } },
  /*
   * aio_suspend returns at once when one listed request has already completed, although another
   * is blocked (a read of a pipe nobody writes): it must not time out (3 s) with EAGAIN. Ported
   * from glibc rt/tst-aio7.c ("aio_suspend() suspending even if completed elements in list").
   */
  { title: 'aio_suspend([done, blocked]) returns without waiting (glibc tst-aio7)', body: (impl, env) => {
    const [readEnd] = pipe();
    const fd = tempFile(env);
    writeAll(fd, Buffer.from('01234567'));
    const buff = impl.buffer(8);
    const cb0 = impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: buff, aio_nbytes: 8, aio_reqprio: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    assert.equal(impl.aio_read(cb0), 0, `reading from file: errno ${impl.errno()}`);
    while (impl.aio_error(cb0) === EINPROGRESS) sleepSync(0.01);
    const cb1 = impl.aiocb({ aio_fildes: readEnd, aio_offset: 0, aio_buf: buff, aio_nbytes: 8, aio_reqprio: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
    assert.equal(impl.aio_read(cb1), 0, `reading from pipe: errno ${impl.errno()}`);
    const result = impl.aio_suspend([cb0, cb1], 2, { tv_sec: 3, tv_nsec: 0 });
    assert.ok(!(result === -1 && impl.errno() === EAGAIN), 'aio_suspend([done,blocked],2,3) suspended thread');
  } },
]);
