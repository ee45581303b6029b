/**
 * A program that makes its aiocbs as it submits (`new Aiocb` then `aio_read`, each with a fresh
 * Buffer) while earlier requests still wait: every `new Aiocb` succeeds and every read is taken,
 * past the engine's region table (4,096 regions). Before, the held buffers took the whole table,
 * and the `new Aiocb` that needed the next aiocb slab threw ENOMEM (at about the 4,030th) — a
 * request can wait for room, a constructor cannot; glibc has no such limit.
 *
 * Deterministic: 10,000 reads of 4 bytes from an empty FIFO (each holds its buffer while it
 * waits for data), then the data (40,000 bytes: less than a pipe holds, so the write never
 * blocks): every read gets its 4 bytes, in submission order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, errno, EINPROGRESS } from '../index.js';
import { closeFd, fifo, rawWrite, tempDir } from './aio-fixture.js';

const READS = 10_000;

test('new Aiocb and aio_read interleaved past the region table: all made, all taken, read in order', () => {
  const dir = tempDir();
  const { fd } = fifo(dir, 'pipe');
  try {
    const cbs: Aiocb[] = [];
    const failures = new Map<string, number>();
    for (let i = 0; i < READS; i++) {
      let cb: Aiocb;
      try {
        cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_nbytes: 4, aio_offset: 0 });
      } catch (error) {
        const key = `new Aiocb: ${(error as { code?: string }).code ?? String(error)}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        continue;
      }
      if (aio_read(cb) !== 0) {
        const key = `aio_read: ${errno()}`;
        failures.set(key, (failures.get(key) ?? 0) + 1);
        continue;
      }
      cbs.push(cb);
    }
    // The data for every read taken before anything is asserted: a read left waiting would hang.
    const data = Buffer.alloc(cbs.length * 4);
    for (let i = 0; i < cbs.length; i++) data.writeUInt32BE(i, i * 4);
    assert.equal(rawWrite(fd, data), data.length);
    for (const cb of cbs) while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
    assert.deepEqual([...failures], [], 'every new Aiocb was made and every aio_read taken');
    const outcomes = new Map<string, number>();
    for (const cb of cbs) {
      const key = `${aio_error(cb)}/${aio_return(cb)}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...outcomes], [['0/4', READS]]);
    assert.deepEqual(Buffer.concat(cbs.map((cb) => cb.aio_buf as Buffer)), data, 'each read got the next 4 bytes, in submission order');
  } finally {
    closeFd(fd);
    dir.cleanup();
  }
});
