/**
 * `aio.read` calls that find no room in the engine (its region table full of buffers in flight:
 * about 4,070 distinct Buffers) while requests are in flight wait for room, in call order, and are
 * submitted as those complete — as libuv queues fs calls beyond its pool. Before, they rejected
 * with AioError EAGAIN: `Promise.all` over 20,000 reads into fresh Buffers of a cold file had
 * 15,800 rejected on both engines.
 *
 * Deterministic: 6,000 reads of 8 bytes, each into a Buffer of its own, from an empty FIFO (each
 * waits for data while holding its buffer), more than the table holds; then the data is written
 * and every read must get its 8 bytes, in call order. An AbortSignal takes a waiting call out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aio, AioError } from '../index.js';
import { closeFd, fifo, rawWrite, tempDir } from './aio-fixture.js';

const READS = 6000;

test('aio.read calls beyond the region table wait for room and all read, in call order', async () => {
  const dir = tempDir();
  const { fd } = fifo(dir, 'pipe');
  try {
    const buffers = Array.from({ length: READS }, () => Buffer.alloc(8));
    const reads = buffers.map((buffer) => aio.read(fd, buffer, null));
    // One more that is aborted while it waits: it rejects with an AbortError and reads nothing.
    const controller = new AbortController();
    const aborted = aio.read(fd, Buffer.alloc(8), null, { signal: controller.signal }).then(
      (value) => `read ${value}`,
      (error: unknown) => (error instanceof Error ? error.name : String(error)),
    );
    controller.abort();
    // The data for every read before anything is asserted: a read left waiting on the FIFO
    // would keep the process alive.
    const data = Buffer.alloc(READS * 8);
    for (let i = 0; i < READS; i++) data.write(String(i).padStart(8, '0'), i * 8, 'latin1');
    assert.equal(rawWrite(fd, data), data.length);
    const settled = await Promise.allSettled(reads);
    assert.equal(await aborted, 'AbortError');
    const kinds = new Map<string, number>();
    for (const outcome of settled) {
      const kind = outcome.status === 'fulfilled' ? `read ${outcome.value}` : outcome.reason instanceof AioError ? outcome.reason.code : String(outcome.reason);
      kinds.set(kind, (kinds.get(kind) ?? 0) + 1);
    }
    assert.deepEqual([...kinds], [['read 8', READS]]);
    assert.deepEqual(Buffer.concat(buffers), data, 'each read got the next 8 bytes, in call order');
  } finally {
    closeFd(fd);
    dir.cleanup();
  }
});
