/**
 * submitRaw (compat32's and a raw status block's path) makes a request that nothing can submit
 * again: it gives its plugin instance back as it completes. Before, every raw request kept one
 * for good (no aiocb's finalizer lets it go): 100,000 raw reads made 100,000 instances, about
 * 3 KiB each, for the life of the process.
 *
 * Differential: each read's bytes are compared with the file's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { aioEngine } from '../shim/context.js';
import { pluginFor } from '../shim/notify.js';
import { submitRaw } from '../shim/raw.js';
import { OP_READ } from '../shim/types.js';
import { closeFd, fileWith, pattern, tempDir } from './aio-fixture.js';

const REQUESTS = 5_000;
const BYTES = 16;

test('5,000 raw reads one after another: every read right, the instances back in the pool', async () => {
  const dir = tempDir();
  const file = pattern(32 * 1024, 3);
  const { fd } = fileWith(dir, 'data', file);
  const engine = aioEngine();
  const block = engine.alloc(4096);
  try {
    const outcomes = new Map<string, number>();
    for (let i = 0; i < REQUESTS; i++) {
      const offset = (i * BYTES) % file.length;
      const handle = submitRaw({ op: 'read', fd, buf: block.start, nbytes: BYTES, offset, errorCodeAddress: block.start + 64, returnValueAddress: block.start + 72, width: 8 });
      if (typeof handle === 'number') {
        outcomes.set(`refused ${handle}`, (outcomes.get(`refused ${handle}`) ?? 0) + 1);
        continue;
      }
      while (handle.inProgress) await new Promise((resolve) => setImmediate(resolve));
      const same = handle.returned() === BYTES && Buffer.from(block.bytes.subarray(0, BYTES)).equals(file.subarray(offset, offset + BYTES));
      const key = same ? 'read as the file' : `${handle.error()}/${handle.returned()}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    assert.deepEqual([...outcomes], [['read as the file', REQUESTS]]);
    const stats = pluginFor(OP_READ, false, false).plugin.poolStats(engine);
    assert.equal(stats.instances - stats.free, 0, 'no instance held after every raw request ended');
    assert.ok(stats.instances <= 64, `${stats.instances} instances made for ${REQUESTS} raw requests`);
  } finally {
    engine.free(block);
    closeFd(fd);
    dir.cleanup();
  }
});
