// Under a REAL seccomp filter (test/fixtures/refuse-and-limit.c, built here with gcc) that
// refuses io_uring as a container runtime does — io_uring_setup/enter/register failing with EPERM
// (Docker's and Kubernetes' default profiles) or ENOSYS (a kernel without io_uring), setup allowed
// and enter/register refused, or register alone — 1,000 aio_read and 1,000 lio_listio reads with
// SIGEV_THREAD each end exactly once with their bytes, on cachemiss threads, as glibc's AIO does
// under the same filter. (uring-refused-falls-back-to-threads.test.ts checks the Engine under the
// same kind of filter; this checks the POSIX layer, every request and its notification.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLauncher, describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const launcher = buildLauncher();
const COUNT = 1000;
const MODES = ['setup-eperm', 'setup-enosys', 'after-setup', 'register'] as const;

for (const mode of MODES) {
  test(`seccomp ${mode}: every aio_read and lio_listio read ends once with its bytes, on threads`, async (t) => {
    if (launcher.path === null) return t.skip(launcher.missing);
    for (const via of ['aio_read', 'lio_listio'] as const) {
      const burst: BurstOptions = { impl: 'syslet', count: COUNT, via, notify: 'thread' };
      const run = await runBurstChild(launcher.path, burst, { launcher: [`--seccomp=${mode}`] });
      const report = run.report;
      assert.ok(report !== null, describeRun(run));
      assert.equal(report.engine?.kind, 'threads', describeRun(run));
      assert.deepEqual([report.submitted, report.refused, report.ended, report.unfinished], [COUNT, {}, { ok: COUNT }, 0], describeRun(run));
      assert.deepEqual([report.notifiedNever, report.notifiedTwice], [0, 0], describeRun(run));
    }
  });
}

test('seccomp setup-eperm, glibc and the threads engine: the same (every read once, with its bytes)', async (t) => {
  if (launcher.path === null) return t.skip(launcher.missing);
  for (const impl of ['glibc', 'syslet'] as const) {
    const burst: BurstOptions = { impl, count: COUNT, via: 'lio_listio', notify: impl === 'glibc' ? 'none' : 'thread' };
    const run = await runBurstChild(launcher.path, burst, { launcher: ['--seccomp=setup-eperm'], env: { SYSLET_AIO_ENGINE: 'threads' } });
    assert.ok(run.report !== null, describeRun(run));
    assert.deepEqual([run.report.submitted, run.report.ended, run.report.unfinished, run.report.notifiedTwice], [COUNT, { ok: COUNT }, 0, 0], describeRun(run));
  }
});
