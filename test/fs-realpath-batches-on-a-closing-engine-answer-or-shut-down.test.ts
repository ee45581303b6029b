/**
 * An engine closed while realpath batches are on their way: every call of the burst settles,
 * each with Node's answer or with ESHUTDOWN (what any call on a closed engine gets), and no fd the
 * batches opened is left open in the process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { createFs } from '../fs/index.js';
import { BATCH_CALLS } from '../fs/link-batch.js';
import { BATCH_MIN, BATCHES_IN_FLIGHT, linkBatchStats, setLateBatchRule } from '../fs/link-burst.js';
import { setRingOpens } from '../fs/link-ring.js';
import { scratch } from './helpers/fs-implementations.js';
import { openFdsBesideTheLoader } from './helpers/loader-fds.js';

// Not tsx's: its cache writes and directory sweep (in a fresh clone) open and close fds meanwhile.
const openFds = openFdsBesideTheLoader;

test('realpath batches cut short by engine.close() answer every call and leave no fd open', async (t) => {
  // Batches are never found late here (a late one's calls are answered inline: not this test's case).
  setLateBatchRule(Infinity, Infinity);
  t.after(() => setLateBatchRule());
  // On the io_uring engine a burst's opens go to the ring (fs/link-ring.ts): these are the batches'.
  setRingOpens(false);
  t.after(() => setRingOpens(true));
  const dir = scratch(t, 'realpath-close');
  const links: string[] = [];
  // Exactly the calls of one turn that go to batches, and the few before them: every call but
  // those few is a batch's (an inline call whose chain the close interrupts answers EINTR, on
  // main as before these batches: not what this test is about).
  const count = BATCH_MIN - 1 + BATCHES_IN_FLIGHT * BATCH_CALLS;
  for (let i = 0; i < count; i++) {
    const folder = join(dir, String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(folder);
    writeFileSync(join(folder, `${i}.bin`), 'x');
    symlinkSync(`${i}.bin`, join(folder, `${i}.lnk`));
    links.push(join(folder, `${i}.lnk`));
  }
  // The first round opens what stays open for the process's life: the first cachemiss thread's
  // (Node's worker set-up) and the held /proc fd directory of inline realpaths.
  let before = 0;
  for (let round = 0; round < 30; round++) {
    if (round === 1) before = openFds();
    const engine = new Engine();
    const fs = createFs(engine);
    await fs.realpath(links[0] as string);
    const burst = Promise.allSettled(links.map((link) => fs.realpath(link)));
    // Batches are submitted at the end of this turn: close right after, or up to a few
    // milliseconds later (this thread busy meanwhile, so that nothing is delivered), so that the
    // close finds them not started, between two calls of a path, or done.
    await Promise.resolve();
    const { calls, batches } = linkBatchStats(engine);
    assert.deepEqual({ calls, batches }, { calls: BATCHES_IN_FLIGHT * BATCH_CALLS, batches: BATCHES_IN_FLIGHT });
    const until = performance.now() + (round - 1) * 0.2;
    while (performance.now() < until);
    await engine.close();
    const outcomes = await burst;
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') {
        assert.equal(outcome.value, (links[i] as string).replace(/lnk$/, 'bin'));
      } else {
        const error = outcome.reason as NodeJS.ErrnoException;
        assert.equal(error.code, 'ESHUTDOWN', String(error));
      }
    });
  }
  assert.equal(openFds(), before, 'fds open before and after');
});
