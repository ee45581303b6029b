// RLIMIT_NPROC reached (a real limit: the child runs as nobody, where the limit applies, and sets
// RLIMIT_NPROC to 1 once loaded, so that no thread at all can start): glibc's AIO, whose helper
// threads cannot start, refuses every aio_read and lio_listio at submission with EAGAIN; the io_uring
// engine needs no thread for regular files and reads every byte; the threads engine, whose
// cachemiss thread cannot start, takes every request and ends each one exactly once, with its bytes
// or EAGAIN (glibc's errno for a request whose thread cannot start; POSIX lets aio_read either refuse
// with it or end the request with it). Never a hang, never a crash.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLauncher, describeRun, needsRoot, NOBODY, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const launcher = buildLauncher();
const COUNT = 300;
const EAGAIN = 11;
const skipReason = launcher.missing ?? needsRoot();

function burst(impl: BurstOptions['impl'], via: BurstOptions['via']): BurstOptions {
  // Pages dropped: every read that the inline probe cannot answer needs the async engine.
  return { impl, count: COUNT, via, notify: 'none', dropCache: true, waitMs: 20_000, limitsAfterLoad: { nproc: 1 } };
}

test('glibc (the reference): every request refused at submission with EAGAIN', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  for (const via of ['aio_read', 'lio_listio'] as const) {
    const run = await runBurstChild(launcher.path, burst('glibc', via), { launcher: [`--uid=${NOBODY}`] });
    assert.ok(run.report !== null, describeRun(run));
    assert.equal(run.report.submitted, 0, describeRun(run));
    assert.equal(Object.keys(run.report.refused).every((key) => key.split('/').every((errno) => Number(errno) === EAGAIN)), true, describeRun(run));
  }
});

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine} engine: every request ends exactly once, with its bytes${engine === 'threads' ? ' or EAGAIN' : ''}`, async (t) => {
    if (skipReason !== null) return t.skip(skipReason);
    for (const via of ['aio_read', 'lio_listio'] as const) {
      const run = await runBurstChild(launcher.path, burst('syslet', via), { launcher: [`--uid=${NOBODY}`], ...(engine === 'threads' ? { env: { SYSLET_AIO_ENGINE: 'threads' } } : {}) });
      const report = run.report;
      assert.ok(report !== null, describeRun(run));
      assert.deepEqual(report.limitAnswers, [0]);
      assert.deepEqual([report.engine?.kind, report.submitted, report.unfinished], [engine, COUNT, 0], describeRun(run));
      const { ok = 0, [EAGAIN]: eagain = 0, ...other } = report.ended;
      assert.deepEqual(other, {}, describeRun(run));
      assert.equal(ok + eagain, COUNT);
      if (engine === 'io_uring') assert.equal(ok, COUNT, describeRun(run));
    }
  });
}
