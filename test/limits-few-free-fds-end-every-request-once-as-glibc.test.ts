// RLIMIT_NOFILE lowered (a real limit, set by the child on itself once loaded: tsx alone needs more
// than 20 fds to start) so that only 2 or 4 fd numbers stay free, with 2,000 reads in flight. glibc's
// AIO needs no fd and reads every byte. Here every request ends exactly once: reads of cached pages
// with their bytes on both engines; reads that need a cachemiss thread (pages dropped) with their
// bytes or EMFILE (a thread needs about 5 fds to start, 12 when run from sources under tsx; bug 39 of
// docs/reliability.md: answered, never waited for) — never a hang or a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions, BurstReport } from './helpers/limits-burst.js';

const COUNT = 2000;
const EMFILE = 24;

async function burst(impl: BurstOptions['impl'], free: number, dropCache: boolean, engine?: 'threads'): Promise<BurstReport> {
  const options: BurstOptions = { impl, count: COUNT, via: 'lio_listio', notify: impl === 'syslet' ? 'thread' : 'none', dropCache, waitMs: 20_000, limitsAfterLoad: { nofileFree: free } };
  const run = await runBurstChild(null, options, engine === undefined ? {} : { env: { SYSLET_AIO_ENGINE: engine } });
  assert.ok(run.report !== null, describeRun(run));
  assert.deepEqual(run.report.limitAnswers, [0]);
  assert.deepEqual([run.report.submitted, run.report.unfinished, run.report.notifiedNever, run.report.notifiedTwice], [COUNT, 0, 0, 0], describeRun(run));
  return run.report;
}

test('glibc and node:fs/promises (the references): every read ends with its bytes at 2 free fds', async () => {
  for (const impl of ['glibc', 'node'] as const) assert.deepEqual((await burst(impl, 2, true)).ended, { ok: COUNT });
});

for (const engine of [undefined, 'threads'] as const) {
  const name = engine ?? 'default (io_uring)';
  test(`${name} engine, 2 and 4 free fds: cached reads end with their bytes, uncached ones once with their bytes or EMFILE`, async () => {
    for (const free of [2, 4]) {
      assert.deepEqual((await burst('syslet', free, false, engine)).ended, { ok: COUNT });
      const { ok = 0, [EMFILE]: emfile = 0, ...other } = (await burst('syslet', free, true, engine)).ended;
      assert.deepEqual(other, {});
      assert.equal(ok + emfile, COUNT);
    }
  });
}
