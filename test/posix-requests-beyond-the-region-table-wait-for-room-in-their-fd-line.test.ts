/**
 * aio_read with a Buffer of its own for each request, more than the engine's region table holds
 * in flight (about 4,070), while those in flight wait: each is taken (returns 0, EINPROGRESS), as
 * glibc takes every request, and runs when a completion has made room, in its fd's order. Before,
 * the 4,07xth and later were refused with -1/EAGAIN. One cancelled while it waits for room ends
 * AIO_CANCELED/ECANCELED, and a request refused when nothing is in flight is still EAGAIN.
 *
 * Deterministic: 6,000 reads of 8 bytes from an empty FIFO (each holds its buffer while it waits
 * for data), then the data: every read gets its 8 bytes, in submission order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_cancel, aio_error, aio_read, aio_return, aio_suspend, errno, AIO_CANCELED, ECANCELED, EINPROGRESS } from '../index.js';
import { closeFd, fifo, rawWrite, tempDir } from './aio-fixture.js';

const READS = 6000;

test('C-style reads beyond the region table are all taken, wait for room, and read in order', () => {
  const dir = tempDir();
  const { fd } = fifo(dir, 'pipe');
  try {
    const cbs = Array.from({ length: READS }, () => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_nbytes: 8, aio_offset: 0 }));
    const refused = new Map<number, number>();
    for (const cb of cbs) if (aio_read(cb) !== 0) refused.set(errno(), (refused.get(errno()) ?? 0) + 1);
    // One more, cancelled while it waits behind the others.
    const extra = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_nbytes: 8, aio_offset: 0 });
    const extraTaken = aio_read(extra);
    const cancelled = extraTaken === 0 ? aio_cancel(fd, extra) : -1;
    // The data for every read before anything is asserted: a read left waiting would hang the process.
    const data = Buffer.alloc(READS * 8);
    for (let i = 0; i < READS; i++) data.write(String(i).padStart(8, '0'), i * 8, 'latin1');
    assert.equal(rawWrite(fd, data), data.length);
    for (const cb of cbs) while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
    assert.deepEqual([...refused], [], 'every aio_read was taken');
    const outcomes = new Map<string, number>();
    for (const cb of cbs) {
      const key = `${aio_error(cb)}/${aio_return(cb)}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...outcomes], [['0/8', READS]]);
    assert.deepEqual(Buffer.concat(cbs.map((cb) => cb.aio_buf as Buffer)), data, 'each read got the next 8 bytes, in submission order');
    assert.deepEqual([extraTaken, cancelled, aio_error(extra), aio_return(extra)], [0, AIO_CANCELED, ECANCELED, -1]);
  } finally {
    closeFd(fd);
    dir.cleanup();
  }
});
