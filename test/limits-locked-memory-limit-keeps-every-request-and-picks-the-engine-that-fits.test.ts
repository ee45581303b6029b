// RLIMIT_MEMLOCK (a real limit, set by the launcher for a child running as nobody: root's
// CAP_IPC_LOCK ignores it). io_uring charges its rings to the locked-memory limit of a user without
// CAP_IPC_LOCK; the engine's ring (SQ 256, CQ 4,096: about 84 KiB) does not fit in 0 or 64 KiB.
// - 0: io_uring_setup gives ENOMEM, the engine says so and uses threads, and 1,000 aio_read and
//   lio_listio reads each end once with their bytes, as glibc's (which locks nothing).
// - 64 KiB (the default RLIMIT_MEMLOCK of many distributions before systemd 253): a ring of a
//   smaller CQ fits (measured: SQ 256 / CQ 2048 sets up as nobody under 64 KiB). The engine
//   tried one size only and fell back to threads; since session 21 (coord21) it tries smaller
//   CQs while set-up answers ENOMEM (engine/uring-select.ts CQ_ENTRIES_TRIED) and runs io_uring.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLauncher, describeRun, needsRoot, NOBODY, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const launcher = buildLauncher();
const COUNT = 1000;
const skipReason = launcher.missing ?? needsRoot();

async function burst(impl: 'glibc' | 'syslet', memlock: number, via: BurstOptions['via'], env?: Record<string, string>): Promise<NonNullable<Awaited<ReturnType<typeof runBurstChild>>['report']>> {
  const options: BurstOptions = { impl, count: COUNT, via, notify: impl === 'glibc' ? 'none' : 'thread', dropCache: true };
  const run = await runBurstChild(launcher.path, options, { launcher: [`--rlimit=memlock:${memlock}`, `--uid=${NOBODY}`], ...(env === undefined ? {} : { env }) });
  assert.ok(run.report !== null, describeRun(run));
  assert.deepEqual([run.report.submitted, run.report.ended, run.report.unfinished, run.report.notifiedNever, run.report.notifiedTwice], [COUNT, { ok: COUNT }, 0, 0, 0], describeRun(run));
  return run.report;
}

test('RLIMIT_MEMLOCK 0: threads, naming ENOMEM, and every read ends once with its bytes (glibc too)', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  for (const via of ['aio_read', 'lio_listio'] as const) {
    const report = await burst('syslet', 0, via);
    assert.equal(report.engine?.kind, 'threads');
    assert.match(report.engine?.reason ?? '', /io_uring_setup gave ENOMEM/);
  }
  await burst('syslet', 0, 'lio_listio', { SYSLET_AIO_ENGINE: 'threads' });
  await burst('glibc', 0, 'lio_listio');
});

test('RLIMIT_MEMLOCK 64 KiB: the io_uring engine, on a ring that fits', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  const report = await burst('syslet', 65536, 'aio_read');
  assert.equal(report.engine?.kind, 'io_uring', JSON.stringify(report.engine));
});
