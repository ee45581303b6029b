/**
 * A request whose buffer finds the engine's region table full first lets idle buffer
 * registrations go (the POSIX layer keeps up to 1,088 of them registered after their requests
 * ended, each holding a slot of the table), and is refused with EAGAIN only when none is left.
 * Before, it was refused while idle ranges held the slots it needed: in a long-running program
 * the in-flight limit for distinct buffers fell by the number kept idle.
 *
 * Deterministic: a few buffers are used once (their ranges stay idle, on probation), then the
 * table is filled; a fresh buffer's read must still be taken and read the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync } from 'node:fs';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, aioEngine, errno, EINPROGRESS } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';
import { fillRegionTable } from './helpers/region-table.js';

function readOnce(cb: Aiocb): [number, number] {
  const submitted = aio_read(cb);
  if (submitted !== 0) return [submitted, errno()];
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
  return [aio_error(cb), aio_return(cb)];
}

test('a fresh buffer takes the slot of an idle registration when the region table is full', () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'data', pattern(4096));
  const make = (): Aiocb => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(64), aio_nbytes: 64, aio_offset: 128 });
  // Aiocbs live in engine memory too: all made before the table fills.
  const used = Array.from({ length: 8 }, make);
  const fresh = Array.from({ length: 3 }, make);
  for (const cb of used) assert.deepEqual(readOnce(cb), [0, 64]);
  const regions = fillRegionTable(aioEngine());
  try {
    for (const cb of fresh) {
      assert.deepEqual(readOnce(cb), [0, 64], 'taken and read although the table was full');
      assert.deepEqual(cb.aio_buf, pattern(4096).subarray(128, 192));
    }
  } finally {
    for (const region of regions) aioEngine().free(region);
  }
  closeSync(fd);
  dir.cleanup();
});
