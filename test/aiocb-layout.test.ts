/**
 * struct aiocb and struct sigevent: glibc's x86-64 layout (checked against gcc's offsetof when
 * gcc is present), the POSIX members and constants, and glibc's sysconf limits.
 * Checklist items 1, 2, 3, 4.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import {
  Aiocb, AIOCB, SIGEVENT, AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE, LIO_READ, LIO_WRITE, LIO_NOP, LIO_WAIT, LIO_NOWAIT,
  SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD, O_SYNC, O_DSYNC, EINPROGRESS, ECANCELED, EBADF, EINVAL, EAGAIN, sysconf,
  _SC_ASYNCHRONOUS_IO, _SC_AIO_PRIO_DELTA_MAX, _SC_AIO_MAX, _SC_AIO_LISTIO_MAX,
} from '../index.js';
import { tempDir } from './aio-fixture.js';

const gcc = spawnSync('gcc', ['--version']).status === 0;

test('AIO_/LIO_/SIGEV_ constants have glibc\'s values (items 1, 2)', () => {
  assert.deepEqual([AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE], [0, 1, 2]);
  assert.deepEqual([LIO_READ, LIO_WRITE, LIO_NOP], [0, 1, 2]);
  assert.deepEqual([LIO_WAIT, LIO_NOWAIT], [0, 1]);
  assert.deepEqual([SIGEV_SIGNAL, SIGEV_NONE, SIGEV_THREAD], [0, 1, 2]);
  assert.deepEqual([O_SYNC, O_DSYNC], [0o4010000, 0o10000]);
  assert.deepEqual([EINPROGRESS, ECANCELED, EBADF, EINVAL, EAGAIN], [115, 125, 9, 22, 11]);
});

test('sysconf reports glibc\'s AIO limits (item 4)', () => {
  assert.ok(sysconf(_SC_ASYNCHRONOUS_IO) >= 200112);
  assert.equal(sysconf(_SC_AIO_PRIO_DELTA_MAX), 20);
  assert.equal(sysconf(_SC_AIO_MAX), -1);
  assert.equal(sysconf(_SC_AIO_LISTIO_MAX), -1);
});

test('every field lands at its glibc offset in the native struct (item 3)', () => {
  const cb = new Aiocb({
    aio_fildes: 7, aio_lio_opcode: LIO_WRITE, aio_reqprio: 3, aio_buf: 0x1234_5678n, aio_nbytes: 4096, aio_offset: 2 ** 40,
    aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: 40, sigev_value: 0xabcdef, sigev_notify_attributes: 0x99 },
  });
  const view = new DataView(cb._view.buffer, cb._view.byteOffset + cb._base, AIOCB.size);
  assert.equal(view.getInt32(0, true), 7);
  assert.equal(view.getInt32(4, true), LIO_WRITE);
  assert.equal(view.getInt32(8, true), 3);
  assert.equal(view.getBigUint64(16, true), 0x1234_5678n);
  assert.equal(view.getBigUint64(24, true), 4096n);
  assert.equal(view.getBigInt64(32 + 0, true), 0xabcdefn);
  assert.equal(view.getInt32(32 + 8, true), 40);
  assert.equal(view.getInt32(32 + 12, true), SIGEV_SIGNAL);
  assert.equal(view.getBigUint64(32 + 24, true), 0x99n);
  assert.equal(view.getBigInt64(128, true), 2n ** 40n);
  view.setInt32(112, 77, true);
  view.setBigInt64(120, 12345n, true);
  assert.equal(cb.__error_code, 77);
  assert.equal(cb.__return_value, 12345);
  assert.equal(cb.aio_sigevent.sigev_value, 0xabcdef);
  assert.equal(typeof cb.address, 'number');
  assert.deepEqual([AIOCB.size, SIGEVENT.size], [168, 64]);
});

test('fields are writable properties, and bad values throw TypeErrors naming the field', () => {
  const cb = new Aiocb();
  cb.aio_fildes = 3;
  cb.aio_offset = 10n;
  cb.aio_sigevent.sigev_notify = SIGEV_THREAD;
  assert.equal(cb.aio_fildes, 3);
  assert.equal(cb.aio_offset, 10);
  assert.equal(cb.aio_sigevent.sigev_notify, SIGEV_THREAD);
  assert.throws(() => { cb.aio_fildes = 1.5; }, /aio_fildes/);
  assert.throws(() => { cb.aio_nbytes = Number.NaN; }, /aio_nbytes/);
  assert.throws(() => { cb.aio_buf = 'x' as unknown as bigint; }, /aio_buf/);
  assert.throws(() => new Aiocb({ aio_reqprio: 2 ** 40 }), /aio_reqprio/);
  const buffer = Buffer.alloc(16);
  cb.aio_buf = buffer;
  assert.equal(cb.aio_buf, buffer);
});

test('offsets match gcc\'s offsetof against the system <aio.h>', (t) => {
  if (!gcc) {
    t.skip('gcc is not installed: the layout is checked against the reference table only');
    return;
  }
  const dir = tempDir();
  try {
    const source = dir.path('layout.c');
    writeFileSync(source, `#include <aio.h>
#include <stddef.h>
#include <stdio.h>
int main(void) {
  printf("%zu %zu %zu %zu %zu %zu %zu %zu %zu %zu\\n", offsetof(struct aiocb, aio_fildes), offsetof(struct aiocb, aio_lio_opcode),
    offsetof(struct aiocb, aio_reqprio), offsetof(struct aiocb, aio_buf), offsetof(struct aiocb, aio_nbytes),
    offsetof(struct aiocb, aio_sigevent), offsetof(struct aiocb, __error_code), offsetof(struct aiocb, __return_value),
    offsetof(struct aiocb, aio_offset), sizeof(struct aiocb));
  printf("%zu %zu %zu %zu %zu %zu\\n", offsetof(struct sigevent, sigev_value), offsetof(struct sigevent, sigev_signo),
    offsetof(struct sigevent, sigev_notify), offsetof(struct sigevent, sigev_notify_function),
    offsetof(struct sigevent, sigev_notify_attributes), sizeof(struct sigevent));
  printf("%d %d %d %d %d %d %d %d %d\\n", AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE, LIO_READ, LIO_WRITE, LIO_NOP, LIO_WAIT, LIO_NOWAIT, SIGEV_THREAD);
  return 0;
}
`);
    execFileSync('gcc', ['-o', dir.path('layout'), source]);
    const [aiocb, sigevent, constants] = execFileSync(dir.path('layout'), { encoding: 'utf8' }).trim().split('\n').map((line) => line.split(' ').map(Number));
    assert.deepEqual(aiocb, [AIOCB.aio_fildes, AIOCB.aio_lio_opcode, AIOCB.aio_reqprio, AIOCB.aio_buf, AIOCB.aio_nbytes, AIOCB.aio_sigevent, AIOCB.__error_code, AIOCB.__return_value, AIOCB.aio_offset, AIOCB.size]);
    assert.deepEqual(sigevent, [SIGEVENT.sigev_value, SIGEVENT.sigev_signo, SIGEVENT.sigev_notify, SIGEVENT.sigev_notify_function, SIGEVENT.sigev_notify_attributes, SIGEVENT.size]);
    assert.deepEqual(constants, [AIO_CANCELED, AIO_NOTCANCELED, AIO_ALLDONE, LIO_READ, LIO_WRITE, LIO_NOP, LIO_WAIT, LIO_NOWAIT, SIGEV_THREAD]);
  } finally {
    dir.cleanup();
  }
});
