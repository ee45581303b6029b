/**
 * An aiocb the program drops lets go of its request record (and all it reaches: the buffer's
 * registration, the plugin instance's JS side) at the next collection, as any JS object would:
 * the aiocb's finalizer holds only its struct's slot and where its plugin instance is. Before,
 * the finalizer's held value was the request, which a FinalizationRegistry keeps until its
 * callback has run (after a full collection; one more frees it): every dropped aiocb's request
 * outlived the young generation, and a program making and dropping 1,000 aiocbs a batch reached
 * 577 MB of RSS (300 MB of heap) after 300,000 (now 265 MB, 70–110 MB of heap).
 *
 * Deterministic: 256 aiocbs, each with its own Buffer, read from a file and dropped; after one
 * full collection (WeakRefs read right after it, in the same turn, before any finalizer callback
 * can run) no request is left, and of the Buffers' memory only the few ranges the POSIX layer
 * keeps registered on purpose (PROBATION_REGISTRATIONS: buffers used once) — before, all 256.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS } from '../index.js';
import { PROBATION_REGISTRATIONS } from '../shim/held-ranges.js';
import { closeFd, fileWith, pattern, tempDir } from './aio-fixture.js';

setFlagsFromString('--expose-gc');
const collect = runInNewContext('gc') as () => void;

const AIOCBS = 256;
const BYTES = 4096;

/** Reads into a fresh Buffer through a fresh aiocb and drops both: WeakRefs to its request and the Buffer's memory. */
function readAndDrop(fd: number, index: number, file: Buffer): { request: WeakRef<object>; memory: WeakRef<ArrayBuffer> } {
  const buffer = Buffer.alloc(BYTES);
  const cb = new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_nbytes: BYTES, aio_offset: index * BYTES });
  assert.equal(aio_read(cb), 0);
  while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
  assert.equal(aio_return(cb), BYTES);
  assert.ok(buffer.equals(file.subarray(index * BYTES, (index + 1) * BYTES)), `read ${index} as the file`);
  return { request: new WeakRef(cb._request), memory: new WeakRef(buffer.buffer) };
}

test('256 dropped aiocbs: no request left after one full collection, nor their buffers but the few kept registered', async () => {
  const dir = tempDir();
  const file = pattern(AIOCBS * BYTES, 5);
  const { fd } = fileWith(dir, 'data', file);
  try {
    const refs = Array.from({ length: AIOCBS }, (_, i) => readAndDrop(fd, i, file));
    // WeakRef targets made in this turn are kept until it ends.
    await new Promise((resolve) => setImmediate(resolve));
    collect();
    const requests = refs.filter((ref) => ref.request.deref() !== undefined).length;
    const buffers = refs.filter((ref) => ref.memory.deref() !== undefined).length;
    assert.equal(requests, 0, `${requests} of ${AIOCBS} requests outlived a full collection`);
    assert.ok(buffers <= PROBATION_REGISTRATIONS, `${buffers} of ${AIOCBS} buffers outlived a full collection`);
  } finally {
    closeFd(fd);
    dir.cleanup();
  }
});
