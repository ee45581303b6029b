/**
 * Tens of thousands of requests at once are taken, as glibc takes them: each request in flight
 * runs a plugin instance carved from a slab of the POSIX engine's memory, one region per slab.
 * With slabs of 32 instances the region table (4,096 entries) ran out at 129,856 requests in
 * flight (session 12: aio_read answered EAGAIN from there on, and the next `new Aiocb` found no
 * room either); slabs now double up to 1,024 instances. 135,000 aio_reads of one registered
 * buffer are all accepted, and each completes with its bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, errno, EINPROGRESS, SIGEV_NONE } from '../index.js';
import { fileWith, pattern, tempDir } from './aio-fixture.js';

const REQUESTS = 135_000;
const BLOCK = 16;
const FILE_BYTES = 64 * 1024;

test('135,000 aio_reads in flight at once are all accepted and all complete', () => {
  const dir = tempDir();
  const data = pattern(FILE_BYTES);
  const { fd } = fileWith(dir, 'data', data);
  const buffer = Buffer.alloc(BLOCK);
  const cbs = new Array<Aiocb>(REQUESTS);
  const refused = new Map<number, number>();
  for (let i = 0; i < REQUESTS; i++) {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_offset: (i * BLOCK) % FILE_BYTES, aio_sigevent: { sigev_notify: SIGEV_NONE } });
    cbs[i] = cb;
    if (aio_read(cb) === -1) refused.set(errno(), (refused.get(errno()) ?? 0) + 1);
  }
  assert.deepEqual(refused, new Map(), 'refused submissions by errno');
  let short = 0;
  for (const cb of cbs) {
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 5, tv_nsec: 0 });
    if (aio_return(cb) !== BLOCK) short++;
  }
  assert.equal(short, 0, 'requests that did not read the whole block');
  // The one buffer holds what the last request to complete read: some block of the file.
  const last = cbs[REQUESTS - 1] as Aiocb;
  const offset = Number(last.aio_offset);
  assert.ok(data.subarray(0, FILE_BYTES).indexOf(buffer) >= 0, `the buffer holds a block of the file (last offset ${offset})`);
});
