// SIGEV_SIGNAL completions at RLIMIT_SIGPENDING (a real limit, set by the process on itself once
// loaded: 6 signals above the ones its user has queued, SigQ), 400 lio_listio reads at once, each
// with its own sigev_value.
// glibc's handler runs at delivery, so its queue rarely fills: 397 of 400 reads end with their
// bytes and their signal, 3 with EAGAIN and no signal (glibc's aio_notify writes the failed
// sigqueue's errno into the request). Here the signals of a receiveSignals signo stay blocked in
// the kernel's queue until the event loop reads them from the signalfd, so the queue was full at
// once: 394 of 400 reads ended EAGAIN with no signal, 6 with their bytes — the reads had succeeded
// and were turned into failures. Now a refused signal of a signo this process receives is queued
// again after the oldest pending one is read out of the signalfd (its handler still runs first, on
// the event loop): every read ends with its bytes and exactly one signal, on both engines.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hasGcc } from './helpers/posix-os.js';
import { describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const COUNT = 400;
const EAGAIN = 11;

function burst(impl: BurstOptions['impl']): BurstOptions {
  // 400: glibc's side records its signals through a pipe of 512 records (posix-os.ts).
  return { impl, count: COUNT, via: 'lio_listio', notify: 'signal', waitMs: 20_000, limitsAfterLoad: { sigpendingFree: 6 } };
}

test('glibc (the reference): each read ends once; the ones whose signal was refused with EAGAIN and no signal', async (t) => {
  if (!hasGcc()) return t.skip('gcc is not installed: the C signal handler the glibc side needs cannot be built');
  const run = await runBurstChild(null, burst('glibc'));
  const report = run.report;
  assert.ok(report !== null, describeRun(run));
  const { ok = 0, [EAGAIN]: eagain = 0, ...other } = report.ended;
  assert.deepEqual([other, ok + eagain, report.unfinished, report.notifiedNever, report.notifiedTwice], [{}, COUNT, 0, eagain, 0], describeRun(run));
});

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine} engine: every read ends with its bytes and exactly one signal`, async () => {
    const run = await runBurstChild(null, burst('syslet'), engine === 'threads' ? { env: { SYSLET_AIO_ENGINE: 'threads' } } : {});
    const report = run.report;
    assert.ok(report !== null, describeRun(run));
    assert.deepEqual(report.limitAnswers, [0]);
    assert.deepEqual([report.submitted, report.ended, report.unfinished, report.notifiedNever, report.notifiedTwice], [COUNT, { ok: COUNT }, 0, 0, 0], describeRun(run));
  });
}
