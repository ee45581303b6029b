/**
 * An aborted plugin.run settles "once the chain has stopped" (docs/plugins.md, Stopping a run), and
 * only then is its instance given back to the plugin's pool: nothing of the aborted chain may touch
 * the next run's cells. Found by the plugins fuzz (test/fuzz/plugins.ts --known --seed 9 --only
 * 22,23,24,44, about one run in four, both engines): on an engine with maxAtomsPerChain 37 and
 * inlineBudget 3 (every chain goes to a cachemiss thread after 3 atoms), after runs aborted right
 * after their submission, a later run of a countdown loop reports atomsExecuted 37 and stop 'limit'
 * but its countdown at -15, where its 17 umem_add(&count, -1) from 3 make -14: one decrement more
 * than it ran — as if the aborted chain ran one more atom on the instance after the next run had
 * reset it. Here: 3 in 900 runs.
 *
 * Cause (session 20): not an early release. A cancelled chain's thread was signalled again (the
 * cancel retry) after it had ended that chain; the kick, stale, was pending when the next chain's
 * umem_add answered -4 (the countdown passing -4 = -EINTR), and the executor took that value for
 * an interrupted call and made it again. Now only a call that can sleep is made again after
 * -EINTR (AtomCall.mayBeInterrupted).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, definePlugin } from '../index.js';

const loop = definePlugin({
  name: 'test.abortedCountdown',
  params: { fd: 'fd' },
  cells: { count: 3 },
  scratch: { s: 64 },
  atoms: [
    { call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, 8, 0] },
    { call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, 8, 0] },
    { call: 'read', args: [{ param: 'fd' }, { scratch: 's' }, 8] },
    // STOP_ON_NEGATIVE | SKIP_TO_NEXT_ON_STOP: never leaves; the atom limit ends the chain.
    { call: 'umem_add', args: [{ ref: 'count' }, -1], flags: 0xa0 },
    { call: 'getuid', args: [], next: 3 },
  ],
});

test('runs after aborted runs count their own countdown only', { timeout: 120_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aborted-'));
  writeFileSync(join(dir, 'f'), 'x'.repeat(9000));
  const fds = [0, 1, 2].map(() => openSync(join(dir, 'f'), 'r'));
  const engine = new Engine({ maxAtomsPerChain: 37, inlineBudget: 3 });
  const wrong: string[] = [];
  try {
    for (let round = 0; round < 600 && wrong.length === 0; round++) {
      if (round % 3 === 0) {
        const controller = new AbortController();
        const running = loop.run(engine, { fd: fds[0] as number }, { signal: controller.signal });
        controller.abort();
        await running.then(() => undefined, () => undefined);
      }
      const outcomes = await Promise.all(fds.map((fd) => loop.run(engine, { fd })));
      for (const outcome of outcomes) {
        if (outcome.atomsExecuted === 37 && BigInt(outcome.cells.count) !== -14n) wrong.push(`round ${round}: count ${outcome.cells.count} after ${outcome.atomsExecuted} atoms (${outcome.stop})`);
      }
    }
    assert.deepEqual(wrong, []);
  } finally {
    for (const fd of fds) closeSync(fd);
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
