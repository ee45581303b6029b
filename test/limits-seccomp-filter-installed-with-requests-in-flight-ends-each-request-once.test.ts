// A process that sandboxes itself once initialised: the io_uring engine is set up and requests are
// in flight when a REAL seccomp filter (installed by the process on all its threads, TSYNC:
// test/helpers/seccomp-self.ts) starts refusing io_uring_enter and io_uring_register with EPERM.
// Every aio_read / lio_listio read (2,000, on a file whose pages were dropped) still ends exactly
// once with its bytes and its SIGEV_THREAD notification: the requests not yet handed to the
// kernel go to cachemiss threads, the ones already in the ring complete. With the filter installed
// before start (the launcher's), the engine picks threads at once; this is the case that reaches
// the io_uring engine's refusal path.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const COUNT = 2000;
const IO_URING_ENTER = 426;
const IO_URING_REGISTER = 427;
const EPERM = 1;

for (const delayMs of [0, 1, 5]) {
  test(`filter refusing io_uring_enter/register ${delayMs} ms after the submissions: every read ends once with its bytes`, async () => {
    for (const via of ['aio_read', 'lio_listio'] as const) {
      const burst: BurstOptions = { impl: 'syslet', count: COUNT, via, notify: 'thread', dropCache: true, waitMs: 20_000, filterAfterSubmit: { first: IO_URING_ENTER, last: IO_URING_REGISTER, errno: EPERM, delayMs } };
      const run = await runBurstChild(null, burst);
      const report = run.report;
      assert.ok(report !== null, describeRun(run));
      assert.equal(report.filter, 0, `the filter was not installed: ${describeRun(run)}`);
      assert.equal(report.engine?.kind, 'io_uring', describeRun(run));
      assert.deepEqual([report.submitted, report.ended, report.unfinished], [COUNT, { ok: COUNT }, 0], describeRun(run));
      assert.deepEqual([report.notifiedNever, report.notifiedTwice], [0, 0], describeRun(run));
    }
  });
}
