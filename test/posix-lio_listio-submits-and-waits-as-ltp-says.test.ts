/**
 * lio_listio submits each entry as aio_read/aio_write would, skips NULL and LIO_NOP entries, fails
 * a bad mode or opcode with EINVAL, and with LIO_WAIT returns 0 once every entry completed, or
 * -1/EIO when one failed (the others still complete).
 *
 * Ported from LTP's open_posix_testsuite conformance/interfaces/lio_listio and glibc
 * rt/tst-aio8.c: one case per C test (each names its origin), every one run against glibc's own
 * AIO and the syslet shim (test/helpers/posix-differential.ts: one child process per
 * implementation, the cases one after another).
 */
import assert from 'node:assert/strict';
import { differentialCases } from './helpers/posix-differential.js';
import { EINVAL, EIO, assertSucceeded, tempFile, writeAll } from './helpers/posix-c.js';
import { hasGcc, headerFacts } from './helpers/posix-os.js';
import type { ControlBlock } from './helpers/posix-impl.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { openSync, readSync } from 'node:fs';

differentialCases(import.meta.url, [
  /*
   * lio_listio with a mode that is neither LIO_WAIT nor LIO_NOWAIT (-1) fails with EINVAL. Ported
   * from LTP open_posix_testsuite conformance/interfaces/lio_listio/18-1.c.
   */
  { title: 'lio_listio with mode -1 is -1 with EINVAL (LTP lio_listio/18-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const cb = impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: impl.buffer(1024), aio_nbytes: 1024, aio_lio_opcode: impl.constants.LIO_WRITE });
    assert.equal(impl.lio_listio(-1, [cb], 1, null), -1);
    assert.equal(impl.errno(), EINVAL);
  } },
  /*
   * The lio_listio constants are defined: LTP checks LIO_READ, LIO_WRITE (and LIO_NOP, LIO_WAIT,
   * LIO_NOWAIT by assertion 6) exist at compile time. Here each implementation's values of those
   * and of the other <aio.h>/<signal.h>/<fcntl.h> constants a POSIX AIO program uses must equal
   * what the C headers say, as printed by aio-header-probe.c built with gcc. Ported from LTP
   * open_posix_testsuite conformance/interfaces/lio_listio/6-1.c.
   */
  { title: 'the <aio.h> constants are defined with the header values (LTP lio_listio/6-1)', body: (impl, env) => {
    if (!hasGcc()) env.skip('gcc is not installed: the C header values cannot be read');
    const facts = headerFacts();
    for (const [name, value] of Object.entries(impl.constants)) {
      assert.ok(Number.isInteger(value), `${name} is not defined`);
      assert.equal(value, facts[name], `${name}`);
    }
  } },
  /*
   * lio_listio ignores NULL entries: a list of ten with NULL at 0, 3 and 9 and seven signalling
   * writes; exactly seven per-request signals arrive, plus the list signal, and the writes
   * succeeded. RT signals are delivered lowest number first, so in C all per-request signals
   * (SIGRTMIN+1) are handled by the time the list signal (SIGRTMIN+2) is; the glibc side records
   * them from whichever thread takes each, so the count is read after waiting for it.
   * Ported from LTP open_posix_testsuite conformance/interfaces/lio_listio/4-1.c.
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    return { title: 'lio_listio ignores NULL entries (LTP lio_listio/4-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_NOWAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const list: (ControlBlock | null)[] = Array.from({ length: COUNT }, (_, i) =>
        i === 0 || i === 3 || i === COUNT - 1
          ? null
          : impl.aiocb({
              aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_WRITE,
              aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: i },
            }),
      );
      const perRequest = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      const listSignal = impl.catchSignal(SIGRTMIN + 2, { restart: true });
      assert.equal(impl.lio_listio(LIO_NOWAIT, list, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 2, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      assert.equal((await listSignal.waitFor(1, 20_000)).length, 1, 'the list signal');
      assert.equal((await perRequest.waitFor(COUNT - 3, 20_000)).length, COUNT - 3, 'per-request signals');
      for (const [i, cb] of list.entries()) if (cb !== null) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * A LIO_READ entry of lio_listio(LIO_WAIT) reads as aio_read would: status 0, 512 bytes, the
   * file's content. Ported from LTP open_posix_testsuite conformance/interfaces/lio_listio/8-1.c.
   */
  { title: 'a LIO_READ entry reads like aio_read (LTP lio_listio/8-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const content = Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
    writeAll(fd, content);
    const check = impl.buffer(512).fill(0xaa);
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: check, aio_nbytes: 512, aio_lio_opcode: impl.constants.LIO_READ });
    assert.equal(impl.lio_listio(impl.constants.LIO_WAIT, [cb], 1, null), 0, `lio_listio: errno ${impl.errno()}`);
    assert.equal(impl.aio_error(cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
    assert.deepEqual(check, content);
  } },
  /*
   * lio_listio(LIO_WAIT) accepts LIO_WRITE, LIO_READ and LIO_NOP entries (returns 0, the write
   * and the read succeed), and an entry with opcode -1 makes it return -1 with EIO. The read and
   * the write use the same offset of an empty file; POSIX leaves the order in which a list's
   * entries run unspecified, so the read returns 1024 (after the write) or 0 (before it), as
   * LTP's check `(err != 0) && (ret != BUF_SIZE)` also allows. Ported from LTP
   * open_posix_testsuite conformance/interfaces/lio_listio/5-1.c.
   */
  (() => {
    const SIZE = 1024;
    return { title: 'lio_listio accepts READ/WRITE/NOP; opcode -1 with LIO_WAIT is EIO (LTP lio_listio/5-1)', body: (impl, env) => {
      const { LIO_WRITE, LIO_READ, LIO_NOP, LIO_WAIT } = impl.constants;
      const fd = tempFile(env);
      const buf = impl.buffer(SIZE);
      const cbs = [LIO_WRITE, LIO_READ, LIO_NOP].map((opcode) => impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: buf, aio_nbytes: SIZE, aio_lio_opcode: opcode }));
      assert.equal(impl.lio_listio(LIO_WAIT, cbs, cbs.length, null), 0, `lio_listio: errno ${impl.errno()}`);
      assertSucceeded(impl, cbs[0]!, SIZE, 'the LIO_WRITE entry');
      const readStatus = impl.aio_error(cbs[1]!);
      const readBytes = impl.aio_return(cbs[1]!);
      assert.equal(readStatus, 0, 'the LIO_READ entry: aio_error');
      assert.ok(readBytes === SIZE || readBytes === 0, `the LIO_READ entry returned ${readBytes}`);
      if (readBytes === 0) env.note('the LIO_READ entry ran before the LIO_WRITE entry of the same list (0 bytes read)');
      cbs[0]!.assign({ aio_lio_opcode: -1 });
      assert.equal(impl.lio_listio(LIO_WAIT, cbs, 1, null), -1, 'opcode -1');
      assert.equal(impl.errno(), EIO, 'errno');
    } };
  })(),
  /*
   * lio_listio(LIO_WAIT) returns 0 once every entry has completed and ignores its `sig`: ten
   * writes with a SIGEV_SIGNAL list sigevent; no list signal arrives, and every write succeeded.
   * LTP checks for the signal at once; here the event loop also turns for 100 ms first, so a
   * signal that was wrongly sent has the time to arrive. Ported from LTP open_posix_testsuite
   * conformance/interfaces/lio_listio/1-1.c (1 MiB writes there, 256 KiB here).
   */
  (() => {
    const COUNT = 10;
    const SIZE = 256 * 1024;
    return { title: 'lio_listio(LIO_WAIT) completes every entry and ignores sig (LTP lio_listio/1-1)', body: async (impl, env) => {
      const { LIO_WRITE, LIO_WAIT, SIGEV_SIGNAL, SIGRTMIN } = impl.constants;
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) => impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: LIO_WRITE }));
      const listSignal = impl.catchSignal(SIGRTMIN + 1, { restart: true });
      assert.equal(impl.lio_listio(LIO_WAIT, cbs, COUNT, { sigev_notify: SIGEV_SIGNAL, sigev_signo: SIGRTMIN + 1, sigev_value: 0 }), 0, `lio_listio: errno ${impl.errno()}`);
      await sleep(100);
      assert.equal(listSignal.received().length, 0, 'LIO_WAIT sent the list signal');
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * When one entry of lio_listio(LIO_WAIT) fails (opcode -1), the call returns -1 with EIO and
   * the other entries still complete successfully. Ported from LTP open_posix_testsuite
   * conformance/interfaces/lio_listio/13-1.c.
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    const BAD = 2;
    return { title: 'lio_listio(LIO_WAIT) with one failing entry is EIO, the rest complete (LTP lio_listio/13-1)', body: (impl, env) => {
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) =>
        impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: i === BAD ? -1 : impl.constants.LIO_WRITE }),
      );
      assert.notEqual(impl.lio_listio(impl.constants.LIO_WAIT, cbs, COUNT, null), 0, 'lio_listio should fail');
      assert.equal(impl.errno(), EIO, 'errno');
      for (const [i, cb] of cbs.entries()) if (i !== BAD) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * lio_listio(LIO_WAIT) with a NULL sig returns 0 when every entry succeeded, and each has status
   * 0 and its byte count. Ported from LTP open_posix_testsuite
   * conformance/interfaces/lio_listio/12-1.c.
   */
  (() => {
    const COUNT = 10;
    const SIZE = 1024;
    return { title: 'lio_listio(LIO_WAIT) returns 0 when every entry succeeds (LTP lio_listio/12-1)', body: (impl, env) => {
      const fd = tempFile(env);
      const bufs = impl.buffer(COUNT * SIZE);
      const cbs = Array.from({ length: COUNT }, (_, i) => impl.aiocb({ aio_fildes: fd, aio_offset: 0, aio_buf: bufs.subarray(i * SIZE, (i + 1) * SIZE), aio_nbytes: SIZE, aio_lio_opcode: impl.constants.LIO_WRITE }));
      assert.equal(impl.lio_listio(impl.constants.LIO_WAIT, cbs, COUNT, null), 0, `lio_listio: errno ${impl.errno()}`);
      for (const [i, cb] of cbs.entries()) assertSucceeded(impl, cb, SIZE, `request ${i}`);
    } };
  })(),
  /*
   * A LIO_WRITE entry of lio_listio(LIO_WAIT) writes as aio_write would: status 0, 512 bytes, and
   * read(2) from the file's (unmoved) position gets them back. Ported from LTP
   * open_posix_testsuite conformance/interfaces/lio_listio/9-1.c.
   */
  { title: 'a LIO_WRITE entry writes like aio_write (LTP lio_listio/9-1)', body: (impl, env) => {
    const fd = tempFile(env);
    const buf = impl.buffer(512);
    for (let i = 0; i < 512; i++) buf[i] = i & 0xff;
    const cb = impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: 512, aio_lio_opcode: impl.constants.LIO_WRITE });
    assert.equal(impl.lio_listio(impl.constants.LIO_WAIT, [cb], 1, null), 0, `lio_listio: errno ${impl.errno()}`);
    assert.equal(impl.aio_error(cb), 0, 'aio_error');
    assert.equal(impl.aio_return(cb), 512, 'aio_return');
    const check = Buffer.alloc(512, 0xaa);
    assert.equal(readSync(fd, check, 0, 512, null), 512);
    assert.deepEqual(check, buf);
  } },
  /*
   * lio_listio(LIO_WAIT) of one write that fails (to /dev/full: ENOSPC) returns -1 with EIO.
   * Ported from glibc rt/tst-aio8.c.
   */
  (() => {
    function openDevFull(): number | null {
      try {
        return openSync('/dev/full', 'r+');
      } catch {
        return null;
      }
    }
    return { title: 'lio_listio(LIO_WAIT) of a failing write is -1 with EIO (glibc tst-aio8)', body: (impl, env) => {
      const fd = openDevFull();
      if (fd === null) return env.skip('could not open /dev/full');
      const text = Buffer.from('hello');
      const buf = impl.buffer(text.length);
      text.copy(buf);
      const req = impl.aiocb({ aio_fildes: fd, aio_lio_opcode: impl.constants.LIO_WRITE, aio_reqprio: 0, aio_buf: buf, aio_nbytes: 5, aio_offset: 0, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
      const result = impl.lio_listio(impl.constants.LIO_WAIT, [req], 1, null);
      const errno = impl.errno();
      env.note(`r = ${result}, e = ${errno}`);
      assert.equal(result, -1);
      assert.equal(errno, EIO);
    } };
  })(),
]);
