/**
 * aio_write: lands at aio_offset leaving the rest intact, opcode ignored, EBADF for fd -1 and
 * for a read-only fd (asynchronously), EINVAL for a negative offset (asynchronously) and for a
 * bad reqprio (at once), nbytes 0, O_APPEND appends in submission order.
 * Checklist items 5, 8, 9, 10, 11, 12, 13, 14, 15, 18.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, readFileSync } from 'node:fs';
import { Aiocb, aio_write, aio_write64, aio_error, aio_return, aio_suspend, errno, EBADF, EINVAL, EINPROGRESS, LIO_READ } from '../index.js';
import { closeAll, fileWith, pattern, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

function waitAll(cbs: Aiocb[]): void {
  while (cbs.some((cb) => aio_error(cb) === EINPROGRESS)) aio_suspend(cbs, null);
}

test('a queued write returns 0 and lands at aio_offset, leaving the bytes around it intact (items 5, 8)', () => {
  const { fd, path } = fileWith(dir, 'zeros', Buffer.alloc(2048));
  try {
    const data = pattern(256, 9);
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: data, aio_offset: 512 });
    assert.equal(aio_write(cb), 0);
    waitAll([cb]);
    assert.equal(aio_error(cb), 0);
    assert.equal(aio_return(cb), 256);
    const after = readFileSync(path);
    assert.equal(after.length, 2048);
    assert.deepEqual(after.subarray(512, 768), data);
    assert.ok(after.subarray(0, 512).every((b) => b === 0));
    assert.ok(after.subarray(768).every((b) => b === 0));
  } finally {
    closeAll(fd);
  }
});

test('aio_lio_opcode is ignored by aio_write (item 9)', () => {
  const { fd, path } = fileWith(dir, 'opcode', '');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('written'), aio_lio_opcode: LIO_READ });
    assert.equal(aio_write(cb), 0);
    waitAll([cb]);
    assert.equal(readFileSync(path, 'utf8'), 'written');
  } finally {
    closeAll(fd);
  }
});

test('fd -1 and a read-only fd: aio_write returns 0, then EBADF (items 10, 11)', () => {
  const { fd } = fileWith(dir, 'readonly', 'abc', 'r');
  try {
    for (const target of [-1, fd]) {
      const cb = new Aiocb({ aio_fildes: target, aio_buf: Buffer.from('x') });
      assert.equal(aio_write(cb), 0);
      waitAll([cb]);
      assert.equal(aio_error(cb), EBADF);
      assert.equal(aio_return(cb), -1);
    }
  } finally {
    closeAll(fd);
  }
});

test('a negative offset fails asynchronously with EINVAL (item 12); a bad reqprio at once (item 13)', () => {
  const { fd } = fileWith(dir, 'neg', '');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('x'), aio_offset: -4096 });
    assert.equal(aio_write(cb), 0);
    waitAll([cb]);
    assert.equal(aio_error(cb), EINVAL);
    assert.equal(aio_return(cb), -1);
    const prio = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('x'), aio_reqprio: -1 });
    assert.equal(aio_write(prio), -1);
    assert.equal(errno(), EINVAL);
  } finally {
    closeAll(fd);
  }
});

test('aio_nbytes 0 writes nothing (item 14)', () => {
  const { fd, path } = fileWith(dir, 'empty', 'keep');
  try {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from('zzzz'), aio_nbytes: 0 });
    assert.equal(aio_write(cb), 0);
    waitAll([cb]);
    assert.equal(aio_error(cb), 0);
    assert.equal(aio_return(cb), 0);
    assert.equal(readFileSync(path, 'utf8'), 'keep');
  } finally {
    closeAll(fd);
  }
});

test('with O_APPEND, writes submitted back to back append in submission order (item 15)', () => {
  const path = dir.path('append');
  const fd = openSync(path, 'a');
  try {
    const parts = ['first-', 'second-', 'third-', 'fourth'];
    const cbs = parts.map((part) => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.from(part), aio_offset: 0 }));
    for (const cb of cbs) assert.equal(aio_write(cb), 0);
    waitAll(cbs);
    for (const cb of cbs) assert.equal(aio_error(cb), 0);
    assert.equal(readFileSync(path, 'utf8'), parts.join(''));
  } finally {
    closeAll(fd);
  }
});

test('aio_write64 is the same function (item 18)', () => {
  assert.equal(aio_write64, aio_write);
});
