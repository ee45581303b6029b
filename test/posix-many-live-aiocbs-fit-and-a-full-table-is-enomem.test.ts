/**
 * A program may hold hundreds of thousands of aiocbs at once, as C holds structs: `new Aiocb()`
 * carves each from a slab of the POSIX engine's memory, one region per slab, and the region
 * table has 4,096 entries. With slabs of 64, the 262,145th live aiocb threw the engine's internal
 * RangeError "too many memory regions (at most 4096)" from the constructor (session 12: 300,000
 * aiocbs over views of one buffer). Slabs now double up to 4,096 aiocbs, and when the table is
 * full all the same (filled here by allocating until the engine refuses, not by timing), the
 * constructor throws a SyscallError ENOMEM naming `new Aiocb`; the aiocbs made before still work.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, aioEngine, EINPROGRESS, SIGEV_NONE, SyscallError } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';
import { fillRegionTable } from './helpers/region-table.js';

const LIVE = 300_000;

test('300,000 live aiocbs are made; with the region table full, new Aiocb throws ENOMEM and the others still read', () => {
  const dir = tempDir();
  const { fd } = fileWith(dir, 'data', pattern(4096));
  const buffer = Buffer.alloc(16);
  const live: Aiocb[] = new Array<Aiocb>(LIVE);
  for (let i = 0; i < LIVE; i++) live[i] = new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_offset: (i * 16) % 4096, aio_sigevent: { sigev_notify: SIGEV_NONE } });
  // Fill what is left of the table, then take every free aiocb slot so the next needs a slab.
  const engine = aioEngine();
  const regions = fillRegionTable(engine);
  const more: Aiocb[] = [];
  let refused: unknown = null;
  for (let i = 0; i < 10_000 && refused === null; i++) {
    try {
      more.push(new Aiocb({ aio_fildes: fd, aio_buf: buffer }));
    } catch (error) {
      refused = error;
    }
  }
  assert.ok(refused instanceof SyscallError, `new Aiocb with the table full: ${String(refused)}`);
  assert.equal(refused.code, 'ENOMEM');
  assert.equal(refused.syscall, 'new Aiocb');
  assert.ok(refused.errno < 0);
  for (const region of regions) engine.free(region);
  // Aiocbs made before (first, last, one made while the table filled) read as ever.
  for (const cb of [live[0], live[LIVE - 1], ...more.slice(-1)]) {
    assert.ok(cb !== undefined);
    assert.equal(aio_read(cb), 0);
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
    assert.equal(aio_return(cb), 16);
    const offset = Number(cb.aio_offset);
    assert.deepEqual(buffer, pattern(4096).subarray(offset, offset + 16), `the bytes at ${offset}`);
  }
});
