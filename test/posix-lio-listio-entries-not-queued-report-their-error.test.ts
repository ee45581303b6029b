/**
 * lio_listio: an entry that could not be queued reports why in its own error status. POSIX
 * (lio_listio, ERRORS): after -1 with EAGAIN or EIO "the application may check the error status
 * of each aiocb to determine the individual request(s) that failed", and EAGAIN is an entry's
 * status when "the requested I/O operation was not queued due to resource limitations"; glibc's
 * enqueue sets the aiocb's error code for an entry it refuses as invalid. Here an entry refused
 * at submission kept the status it had (0 for a fresh aiocb) and aio_return 0: a read that was
 * never made looked like a successful read at end of file (found with 50,000 reads into 50,000
 * distinct Buffers of a cold file, where the engine's region table holds about 4,070 in flight).
 *
 * Deterministic: the region table is filled first, so that entries with a fresh Buffer each
 * cannot be registered; an entry already in progress keeps its own status.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, aioEngine, errno, lio_listio, EAGAIN, EINPROGRESS, EIO, LIO_NOWAIT, LIO_READ, LIO_WAIT, SIGEV_NONE } from '../index.js';
import { closeFd, fifo, fileWith, pattern, rawWrite, tempDir } from './aio-fixture.js';
import { fillRegionTable } from './helpers/region-table.js';

test('lio_listio entries that were not queued report EAGAIN and aio_return -1; queued ones their reads', () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'data', pattern(4096));
  const make = (): Aiocb =>
    new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(64), aio_nbytes: 64, aio_offset: 64, aio_lio_opcode: LIO_READ, aio_sigevent: { sigev_notify: SIGEV_NONE } });
  // Made before the table fills (an Aiocb lives in engine memory too); never submitted.
  const lists = [Array.from({ length: 40 }, make), Array.from({ length: 40 }, make)];
  const regions = fillRegionTable(aioEngine());
  try {
    for (const [mode, list] of [[LIO_WAIT, lists[0]], [LIO_NOWAIT, lists[1]]] as const) {
      const name = mode === LIO_WAIT ? 'LIO_WAIT' : 'LIO_NOWAIT';
      const result = lio_listio(mode, list as Aiocb[], (list as Aiocb[]).length, null);
      const errnoOf = result === -1 ? errno() : 0;
      for (const cb of list as Aiocb[]) while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
      const outcomes = (list as Aiocb[]).map((cb) => `${aio_error(cb)}/${aio_return(cb)}`);
      // LIO_WAIT: EIO once some entry was queued, glibc's EAGAIN when none was.
      const expected = mode === LIO_WAIT && outcomes.includes('0/64') ? EIO : EAGAIN;
      assert.deepEqual([result, errnoOf], [-1, expected], name);
      const kinds = new Set(outcomes);
      assert.ok(kinds.has(`${EAGAIN}/-1`), `${name}: some entry reports EAGAIN: ${JSON.stringify([...kinds])}`);
      assert.deepEqual([...kinds].filter((kind) => kind !== `${EAGAIN}/-1` && kind !== '0/64'), [], `${name}: every entry either read or reports EAGAIN`);
      for (const cb of list as Aiocb[]) if (aio_return(cb) === 64) assert.deepEqual(cb.aio_buf, pattern(4096).subarray(64, 128));
    }
  } finally {
    for (const region of regions) aioEngine().free(region);
  }
  // An entry refused before is accepted once there is room, and reads.
  const again = lists[0]?.[lists[0].length - 1] as Aiocb;
  assert.equal(aio_read(again), 0, `errno ${errno()}`);
  while (aio_error(again) === EINPROGRESS) aio_suspend([again], 1, { tv_sec: 5, tv_nsec: 0 });
  assert.deepEqual([aio_error(again), aio_return(again)], [0, 64]);
  closeSync(fd);
  dir.cleanup();
});

test('a lio_listio entry already in progress keeps its own status when the list refuses it', () => {
  const dir = tempDir();
  // A read of an empty FIFO stays in progress until the FIFO is written.
  const { fd } = fifo(dir, 'pipe');
  const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(8), aio_nbytes: 8, aio_offset: 0, aio_lio_opcode: LIO_READ });
  assert.equal(aio_read(cb), 0);
  assert.equal(aio_error(cb), EINPROGRESS);
  // The same aiocb submitted again while its read waits: the list refuses the entry...
  assert.equal(lio_listio(LIO_NOWAIT, [cb], 1, null), -1);
  // ...and the read in progress keeps its status, then ends with its bytes.
  assert.equal(aio_error(cb), EINPROGRESS);
  assert.equal(rawWrite(fd, Buffer.from('12345678')), 8);
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
  assert.deepEqual([aio_error(cb), aio_return(cb), Buffer.from(cb.aio_buf as Uint8Array).toString()], [0, 8, '12345678']);
  closeFd(fd);
  dir.cleanup();
});
