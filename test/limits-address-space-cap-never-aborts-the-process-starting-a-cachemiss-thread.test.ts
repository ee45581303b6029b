// RLIMIT_AS lowered (a real limit, set by the process on itself once loaded) to 64 MiB above its
// size, with 1,000 reads of dropped pages in flight. glibc's AIO keeps running (a request whose
// thread cannot be made ends with ENOMEM or EAGAIN, its SIGEV_THREAD notifications are lost), and
// so does the io_uring engine, which needs no thread for a regular file: every read ends once with
// its bytes. The threads engine aborts the whole process when it starts its first cachemiss thread:
// a Worker's V8 isolate cannot reserve its CodeRange and V8 ends the process ("Fatal process OOM
// in Failed to reserve virtual memory for CodeRange" or std::bad_alloc: SIGABRT/SIGTRAP); plain Node's `new Worker`
// does the same below about 500 MB of headroom). Fixed in session 21 (coord21): the pool checks
// the address space left (RLIMIT_AS − VmSize, engine/pool-start-failures.ts
// addressSpaceShortForAThread) before starting a thread and answers the chain ENOMEM, as it
// answers EMFILE when a thread could not have its fds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const COUNT = 1000;
const ENOMEM = 12;
const EAGAIN = 11;

function burst(impl: BurstOptions['impl']): BurstOptions {
  return { impl, count: COUNT, via: 'lio_listio', notify: 'none', dropCache: true, waitMs: 20_000, limitsAfterLoad: { asHeadroomMb: 64 } };
}

test('glibc (the reference) and the io_uring engine keep running: each read ends once', async () => {
  const glibc = await runBurstChild(null, burst('glibc'));
  assert.ok(glibc.report !== null, describeRun(glibc));
  const { ok = 0, [ENOMEM]: enomem = 0, [EAGAIN]: eagain = 0, ...other } = glibc.report.ended;
  assert.deepEqual([other, ok + enomem + eagain, glibc.report.unfinished], [{}, glibc.report.submitted, 0], describeRun(glibc));
  const uring = await runBurstChild(null, burst('syslet'));
  assert.ok(uring.report !== null, describeRun(uring));
  assert.equal(uring.report.engine?.kind, 'io_uring');
  assert.deepEqual([uring.report.submitted, uring.report.ended, uring.report.unfinished], [COUNT, { ok: COUNT }, 0], describeRun(uring));
});

test('threads engine: no abort; each read ends once with its bytes, ENOMEM or EAGAIN', async () => {
  const run = await runBurstChild(null, burst('syslet'), { env: { SYSLET_AIO_ENGINE: 'threads' } });
  assert.ok(run.report !== null, describeRun(run));
  const { ok = 0, [ENOMEM]: enomem = 0, [EAGAIN]: eagain = 0, ...other } = run.report.ended;
  assert.deepEqual([other, ok + enomem + eagain, run.report.unfinished], [{}, COUNT, 0], describeRun(run));
});
