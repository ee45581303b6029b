/**
 * A program that holds many aiocbs, each run once, does not hold a plugin instance (a copy of the
 * canned chain in engine memory, about 3 KiB of JS and native memory) per aiocb: past
 * ATTACHED_INSTANCES_LIMIT (4,096) a request gives its instance back as it completes, so the
 * instances alive are bounded by the limit plus the requests in flight. Before, 100,000 aiocbs
 * read once held 100,000 instances for as long as they lived (645 MB of RSS for 100,000 cold
 * 512-byte reads; glibc's AIO about 80 MB).
 *
 * Differential: every read's bytes are compared with the file's, in two rounds over the same
 * aiocbs (the second round re-acquires the instances the first gave back).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio_error, aio_read, aio_return, aio_suspend, EINPROGRESS } from '../index.js';
import { aioEngine } from '../shim/context.js';
import { pluginFor } from '../shim/notify.js';
import { ATTACHED_INSTANCES_LIMIT, attachedInstances } from '../shim/request-prepare.js';
import { OP_READ } from '../shim/types.js';
import { closeFd, fileWith, pattern, tempDir } from './aio-fixture.js';

const AIOCBS = 12_000;
const BYTES = 8;

function readAll(cbs: Aiocb[], fd: number, shift: number, file: Buffer): Map<string, number> {
  const outcomes = new Map<string, number>();
  const note = (key: string): void => void outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
  for (let i = 0; i < cbs.length; i++) {
    const cb = cbs[i] as Aiocb;
    cb.aio_fildes = fd;
    cb.aio_offset = ((i + shift) * BYTES) % file.length;
    if (aio_read(cb) !== 0) note('refused');
  }
  for (let i = 0; i < cbs.length; i++) {
    const cb = cbs[i] as Aiocb;
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, { tv_sec: 10, tv_nsec: 0 });
    const at = ((i + shift) * BYTES) % file.length;
    const same = aio_return(cb) === BYTES && (cb.aio_buf as Buffer).equals(file.subarray(at, at + BYTES));
    note(same ? 'read as the file' : `${aio_error(cb)}/${aio_return(cb)}`);
  }
  return outcomes;
}

test('12,000 aiocbs read twice: every read right, at most 4,096 instances kept between runs', () => {
  const dir = tempDir();
  const file = pattern(64 * 1024, 7);
  const { fd } = fileWith(dir, 'data', file);
  try {
    const cbs = Array.from({ length: AIOCBS }, () => new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(BYTES), aio_nbytes: BYTES, aio_offset: 0 }));
    const plugin = pluginFor(OP_READ, false, false).plugin;
    for (const shift of [0, 3]) {
      assert.deepEqual([...readAll(cbs, fd, shift, file)], [['read as the file', AIOCBS]], `round with shift ${shift}`);
      assert.ok(attachedInstances.count <= ATTACHED_INSTANCES_LIMIT, `kept ${attachedInstances.count} instances`);
      const stats = plugin.poolStats(aioEngine());
      assert.ok(stats.instances - stats.free <= ATTACHED_INSTANCES_LIMIT, `in use ${stats.instances - stats.free}`);
      // Slabs of 32, 64 … 1,024 instances: 5,088 cover the limit and a request in flight.
      assert.ok(stats.instances <= 5_088, `${stats.instances} instances made for ${AIOCBS} aiocbs`);
    }
  } finally {
    closeFd(fd);
    dir.cleanup();
  }
});
