/**
 * The steps of glibc's rt/tst-aio.c (and rt/tst-aio64.c, the same with the LFS names), one
 * function per step, so that each step is its own test file and tst-aio64 can run them all:
 * ten aiocbs of 100 bytes ('0' + i at offset i * 100) over one 1000-byte buffer, submitted in
 * reverse order, waited for with tst-aio's do_wait, and the file compared with the buffer by
 * test_file (fstat size, then pread).
 */
import assert from 'node:assert/strict';
import { fstatSync, ftruncateSync, readSync } from 'node:fs';
import { doWait, ECANCELED } from './posix-c.js';
import type { AioImpl, ControlBlock } from './posix-impl.js';

/** The shared state of one tst-aio run. */
export interface TstAio {
  readonly impl: AioImpl;
  readonly fd: number;
  /** The 1000-byte buffer the ten aiocbs point into. */
  readonly buf: Buffer;
  readonly cbs: ControlBlock[];
}

/** prepare - tst-aio's "Preparation": aiocb i writes/reads 100 bytes of '0' + i at i * 100. */
export function prepare(impl: AioImpl, fd: number): TstAio {
  const buf = impl.buffer(1000);
  const cbs = Array.from({ length: 10 }, (_, i) => {
    const part = buf.subarray(i * 100, (i + 1) * 100).fill(0x30 + i);
    return impl.aiocb({ aio_fildes: fd, aio_reqprio: 0, aio_buf: part, aio_nbytes: 100, aio_offset: i * 100, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
  });
  return { impl, fd, buf, cbs };
}

/** testFile - tst-aio's test_file: the file is exactly the buffer (fstat size, then pread). */
export function testFile(run: TstAio, step: string): void {
  assert.equal(fstatSync(run.fd).size, run.buf.length, `${step}: wrong size`);
  const tmp = Buffer.alloc(run.buf.length);
  assert.equal(readSync(run.fd, tmp, 0, tmp.length, 0), tmp.length, `${step}: failed pread`);
  assert.ok(tmp.equals(run.buf), `${step}: failed comparison`);
}

function submitReversed(run: TstAio, submit: (cb: ControlBlock) => number, step: string): void {
  for (let i = run.cbs.length - 1; i >= 0; i--) {
    const result = submit(run.cbs[i]!);
    assert.notEqual(result, -1, `${step} ${i}: errno ${run.impl.errno()}`);
  }
}

/** writeTen - "First a simple test": aio_write the ten parts (last first), do_wait, test_file. */
export function writeTen(run: TstAio): void {
  submitReversed(run, (cb) => run.impl.aio_write(cb), 'aio_write');
  assert.deepEqual(doWait(run.impl, [...run.cbs]), [], 'aio_write: operation failed');
  testFile(run, 'aio_write');
}

/** readTen - "Read now as we've written it": clear the buffer, aio_read the ten parts back. */
export function readTen(run: TstAio): void {
  run.buf.fill(0);
  submitReversed(run, (cb) => run.impl.aio_read(cb), 'aio_read');
  assert.deepEqual(doWait(run.impl, [...run.cbs]), [], 'aio_read: operation failed');
  for (let i = 0; i < 1000; i++) assert.equal(run.buf[i], 0x30 + Math.floor(i / 100), `comparison failed for aio_read test at byte ${i}`);
}

/** lioWriteTen - "Test lio_listio": truncate, then one lio_listio(LIO_WAIT) of the ten writes; the file is complete on return. */
export function lioWriteTen(run: TstAio): void {
  ftruncateSync(run.fd, 0);
  for (const cb of run.cbs) cb.assign({ aio_lio_opcode: run.impl.constants.LIO_WRITE });
  run.impl.lio_listio(run.impl.constants.LIO_WAIT, run.cbs, run.cbs.length, null);
  testFile(run, 'lio_listio (write)');
}

/** fsyncAfterTen - "Test aio_fsync": truncate, ten aio_writes, aio_fsync(O_SYNC); once the fsync is done, all data is there. */
export function fsyncAfterTen(run: TstAio): void {
  const sync = run.impl.aiocb({ aio_fildes: run.fd, aio_sigevent: { sigev_notify: run.impl.constants.SIGEV_NONE } });
  ftruncateSync(run.fd, 0);
  for (let i = run.cbs.length - 1; i >= 0; i--) run.impl.aio_write(run.cbs[i]!);
  assert.equal(run.impl.aio_fsync(run.impl.constants.O_SYNC, sync), 0, `aio_fsync failed: errno ${run.impl.errno()}`);
  assert.deepEqual(doWait(run.impl, [sync]), [], 'aio_fsync: operation failed');
  testFile(run, 'aio_fsync (aio_write)');
}

/**
 * cancelAll - "Test aio_cancel": truncate, ten aio_writes, aio_cancel(fd, NULL) (a -1 is only
 * reported, as tst-aio prints it), then every request ends done or ECANCELED.
 */
export function cancelAll(run: TstAio, note: (message: string) => void): void {
  ftruncateSync(run.fd, 0);
  for (let i = run.cbs.length - 1; i >= 0; i--) run.impl.aio_write(run.cbs[i]!);
  if (run.impl.aio_cancel(run.fd, null) === -1) note(`aio_cancel (fd, NULL) cannot cancel anything (errno ${run.impl.errno()})`);
  assert.deepEqual(doWait(run.impl, [...run.cbs], ECANCELED), [], 'operation failed');
}

/**
 * cancelEach - "Another test for aio_cancel": truncate, ten aio_writes, aio_cancel(fd, cb) for
 * each (-1 "is not an error. The request can simply be finished."), then every request ends done
 * or ECANCELED.
 */
export function cancelEach(run: TstAio, note: (message: string) => void): void {
  ftruncateSync(run.fd, 0);
  for (let i = run.cbs.length - 1; i >= 0; i--) run.impl.aio_write(run.cbs[i]!);
  for (let i = run.cbs.length - 1; i >= 0; i--) {
    if (run.impl.aio_cancel(run.fd, run.cbs[i]!) === -1) note(`aio_cancel (fd, cbp[${i}]) cannot be canceled (errno ${run.impl.errno()})`);
  }
  assert.deepEqual(doWait(run.impl, [...run.cbs], ECANCELED), [], 'operation failed');
}
