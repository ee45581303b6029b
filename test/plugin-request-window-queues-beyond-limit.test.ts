/**
 * The request window: at most `limit` requests hold a slot on an engine; later ones wait in a
 * FIFO queue and start, in order, as earlier ones end. Reads of FIFOs keep requests in flight for
 * as long as the test wants, so the window can be watched full.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { readFileSyslet, requestStats, setRequestWindow } from '../plugins/index.js';
import { engineWithTempDir } from './plugin-fixture.js';

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

test('requests beyond the window wait in order, hold no slot, and start as earlier ones end', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'window');
  setRequestWindow(engine, 2);
  const fifos = Array.from({ length: 5 }, (_, i) => join(dir, `p${i}`));
  for (const fifo of fifos) execFileSync('mkfifo', [fifo]);
  const finished: number[] = [];
  const reads = fifos.map((fifo, i) => readFileSyslet(engine, fifo).then((bytes) => {
    finished.push(i);
    return bytes.toString();
  }));
  await until(() => engine.inflight === 2);
  assert.deepEqual(
    { active: requestStats(engine).active, waiting: requestStats(engine).waiting },
    { active: 2, waiting: 3 },
    'two requests hold the window, three wait',
  );
  const slabsAtFull = requestStats(engine).slabs;
  // A queued request has not opened its FIFO yet, so a writer's open of it waits (on libuv's
  // pool) until the window admits the reader: feeding them in order finishes them in order.
  for (const [i, fifo] of fifos.entries()) {
    const writer = await open(fifo, 'w');
    await writer.write(Buffer.from(`pipe ${i}`));
    await writer.close();
  }
  assert.deepEqual(await Promise.all(reads), fifos.map((_, i) => `pipe ${i}`));
  assert.deepEqual(finished, [0, 1, 2, 3, 4], 'admitted in order');
  assert.equal(requestStats(engine).slabs, slabsAtFull, 'queued requests reused the slots of finished ones');
  assert.deepEqual({ active: requestStats(engine).active, waiting: requestStats(engine).waiting }, { active: 0, waiting: 0 });
  assert.throws(() => setRequestWindow(engine, 0), RangeError);
});
