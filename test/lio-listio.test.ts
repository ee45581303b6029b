/**
 * lio_listio: mode check, LIO_WAIT (waits, ignores sig, EIO on failure, EINTR), LIO_NOWAIT
 * (returns with I/O pending, list notification once after the last entry, per-entry
 * notifications too), NULL/NOP entries, entries behave like aio_read/aio_write with the same
 * errors, a bad entry does not stop the others, invalid opcodes. Checklist items 51–62.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readFileSync } from 'node:fs';
import {
  Aiocb, lio_listio, lio_listio64, aio_error, aio_return, aio_suspend, errno, receiveSignals, EBADF, EINPROGRESS, EINTR, EINVAL, EIO,
  LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, SIGEV_THREAD, SIGRTMIN,
} from '../index.js';
import { closeAll, fileWith, pattern, raiseInJsThread, rawWrite, socketpair, SOCK_DGRAM, tempDir, turns } from './aio-fixture.js';

const dir = tempDir();
const content = pattern(8192);
const file = fileWith(dir, 'data', content, 'r+');
test.after(() => {
  closeAll(file.fd);
  dir.cleanup();
});

function waitAll(cbs: Aiocb[]): void {
  while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
}

const read = (offset: number, size = 512, extra: Partial<ConstructorParameters<typeof Aiocb>[0]> = {}): Aiocb =>
  new Aiocb({ aio_fildes: file.fd, aio_buf: Buffer.alloc(size), aio_offset: offset, aio_lio_opcode: LIO_READ, ...extra });

test('a bad mode or nent < 0 gives -1/EINVAL (item 51)', () => {
  assert.equal(lio_listio(7, [read(0)], 1, null), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(lio_listio(LIO_WAIT, [read(0)], -1, null), -1);
  assert.equal(errno(), EINVAL);
  assert.equal(lio_listio64, lio_listio);
});

test('LIO_WAIT returns 0 after every entry finished, and ignores sig (items 52, 53, 60)', async () => {
  const calls: unknown[] = [];
  const target = fileWith(dir, 'out', Buffer.alloc(64));
  try {
    const r1 = read(0);
    const r2 = read(4096);
    const w = new Aiocb({ aio_fildes: target.fd, aio_buf: Buffer.from('listed'), aio_offset: 10, aio_lio_opcode: LIO_WRITE });
    const sig = { sigev_notify: SIGEV_THREAD, sigev_value: 1, sigev_notify_function: (v: number | bigint) => calls.push(v) };
    assert.equal(lio_listio(LIO_WAIT, [r1, r2, w], 3, sig), 0);
    for (const cb of [r1, r2, w]) assert.equal(aio_error(cb), 0);
    assert.deepEqual(r1.aio_buf, content.subarray(0, 512));
    assert.deepEqual(r2.aio_buf, content.subarray(4096, 4608));
    assert.equal(readFileSync(target.path).toString('utf8', 10, 16), 'listed');
    await turns();
    assert.deepEqual(calls, [], 'LIO_WAIT ignores sig');
  } finally {
    closeAll(target.fd);
  }
});

test('LIO_WAIT with a failing entry returns -1/EIO after the others completed (items 54, 60, 62; tst-aio8)', () => {
  const full = openSync('/dev/full', 'w');
  try {
    const good = read(0);
    const enospc = new Aiocb({ aio_fildes: full, aio_buf: Buffer.from('x'), aio_lio_opcode: LIO_WRITE });
    const badOpcode = read(0, 16, { aio_lio_opcode: -1 });
    const badFd = read(0, 16, { aio_fildes: -1 });
    assert.equal(lio_listio(LIO_WAIT, [good, enospc, badOpcode, badFd], 4, null), -1);
    assert.equal(errno(), EIO);
    assert.equal(aio_error(good), 0);
    assert.equal(aio_return(good), 512);
    assert.equal(aio_error(enospc), 28, 'ENOSPC from /dev/full');
    assert.equal(aio_error(badOpcode), EINVAL);
    assert.equal(aio_return(badOpcode), -1);
    assert.equal(aio_error(badFd), EBADF, 'the same error aio_read gives');
  } finally {
    closeAll(full);
  }
});

test('LIO_WAIT interrupted by a received signal gives -1/EINTR; the entries go on (item 55)', () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  const receiver = receiveSignals(SIGRTMIN + 4, () => undefined);
  try {
    const blocked = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ });
    raiseInJsThread(SIGRTMIN + 4);
    assert.equal(lio_listio(LIO_WAIT, [blocked], 1, null), -1);
    assert.equal(errno(), EINTR);
    assert.equal(aio_error(blocked), EINPROGRESS);
    rawWrite(b, Buffer.from('late'));
    waitAll([blocked]);
    assert.equal(aio_return(blocked), 4);
  } finally {
    receiver.dispose();
    closeAll(a, b);
  }
});

test('LIO_NOWAIT returns 0 with I/O pending; sig fires once after the last entry; entry sigevents fire too (items 56, 57, 58)', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const events: string[] = [];
    const entry = (name: string) => ({ sigev_notify: SIGEV_THREAD, sigev_value: 0, sigev_notify_function: () => events.push(name) });
    const blocked = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8), aio_lio_opcode: LIO_READ, aio_sigevent: entry('blocked') });
    const quick = read(0, 64, { aio_sigevent: entry('quick') });
    let statusInList = -2;
    const list = {
      sigev_notify: SIGEV_THREAD, sigev_value: 27,
      sigev_notify_function: (v: number | bigint) => {
        statusInList = aio_error(blocked);
        events.push(`list:${String(v)}`);
      },
    };
    assert.equal(lio_listio(LIO_NOWAIT, [blocked, quick], 2, list), 0);
    assert.equal(aio_error(blocked), EINPROGRESS);
    await turns();
    assert.deepEqual(events, ['quick'], 'the list notification waits for the last entry');
    rawWrite(b, Buffer.from('now'));
    waitAll([blocked]);
    await turns(4);
    assert.deepEqual(events, ['quick', 'blocked', 'list:27']);
    assert.equal(statusInList, 0, 'every entry is final when the list is notified');
  } finally {
    closeAll(a, b);
  }
});

test('NULL and LIO_NOP entries are ignored; an empty NOWAIT list notifies at once (item 59)', async () => {
  const nop = read(0, 16, { aio_lio_opcode: LIO_NOP });
  const real = read(0, 16);
  assert.equal(lio_listio(LIO_WAIT, [null, nop, real, null], 4, null), 0);
  assert.equal(aio_error(nop), 0, 'a NOP entry is never submitted');
  assert.equal(aio_return(nop), 0);
  assert.equal(aio_return(real), 16);
  let fired = 0;
  assert.equal(lio_listio(LIO_NOWAIT, [null, nop], { sigev_notify: SIGEV_THREAD, sigev_notify_function: () => fired++ }), 0);
  await turns();
  assert.equal(fired, 1);
});

test('an entry with a bad fd does not stop the others and NOWAIT still returns 0 (item 61)', async () => {
  const bad = read(0, 16, { aio_fildes: -1 });
  const good = read(100, 16);
  let fired = 0;
  assert.equal(lio_listio(LIO_NOWAIT, [bad, good], 2, { sigev_notify: SIGEV_THREAD, sigev_notify_function: () => fired++ }), 0);
  waitAll([bad, good]);
  assert.equal(aio_error(bad), EBADF);
  assert.equal(aio_error(good), 0);
  assert.deepEqual(good.aio_buf, content.subarray(100, 116));
  await turns();
  assert.equal(fired, 1);
});

test('LIO_NOWAIT with an entry refused at submission (reqprio) returns -1/EINVAL, the others run', () => {
  const refused = read(0, 16, { aio_reqprio: 99 });
  const good = read(0, 16);
  assert.equal(lio_listio(LIO_NOWAIT, [refused, good], 2, null), -1);
  assert.equal(errno(), EINVAL);
  waitAll([good]);
  assert.equal(aio_return(good), 16);
  assert.equal(aio_error(refused), EINVAL);
});
