/**
 * The request window: at most `limit` requests hold a slot on an engine; later ones wait in a
 * FIFO queue and start, in order, as earlier ones end. Reads of FIFOs keep requests in flight for
 * as long as the test wants, so the window can be watched full. Which requests were admitted is
 * seen from the FIFOs themselves: a non-blocking open for writing fails with ENXIO while no reader
 * has the FIFO open, i.e. while its request still waits in the queue.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { readFileSyslet, requestStats, setRequestWindow } from '../plugins/index.js';
import { engineWithTempDir } from './plugin-fixture.js';

// Generous: on a loaded machine a cachemiss thread may take seconds to start.
async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 3000 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

/** A write end of `fifo` if its reader has opened it (its request was admitted), else null. */
function writerIfAdmitted(fifo: string): number | null {
  try {
    return openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENXIO') return null;
    throw error;
  }
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
  // Feed the FIFOs one at a time: request i is admitted (its FIFO has a reader) while no request
  // past the window's two is; it then ends, which admits the next one in the queue.
  for (const [i, fifo] of fifos.entries()) {
    const admitted: { writer: number | null } = { writer: null };
    await until(() => (admitted.writer = writerIfAdmitted(fifo)) !== null);
    const writer = admitted.writer;
    assert.ok(writer !== null, `request ${i} was admitted`);
    for (const later of fifos.slice(i + 2)) assert.equal(writerIfAdmitted(later), null, `${later} waits while ${i} and ${i + 1} hold the window`);
    writeSync(writer, `pipe ${i}`);
    closeSync(writer);
    await reads[i];
  }
  assert.deepEqual(await Promise.all(reads), fifos.map((_, i) => `pipe ${i}`));
  assert.deepEqual(finished, [0, 1, 2, 3, 4], 'each finished when its FIFO was fed');
  assert.equal(requestStats(engine).slabs, slabsAtFull, 'queued requests reused the slots of finished ones');
  assert.deepEqual({ active: requestStats(engine).active, waiting: requestStats(engine).waiting }, { active: 0, waiting: 0 });
  assert.throws(() => setRequestWindow(engine, 0), RangeError);
});
