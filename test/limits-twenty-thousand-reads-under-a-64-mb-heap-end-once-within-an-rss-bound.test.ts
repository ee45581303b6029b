// 20,000 reads at once (lio_listio(LIO_NOWAIT) in lists of 1,000, and aio_read one by one), each
// with a SIGEV_THREAD notification, in a process run with `node --max-old-space-size=64`: every
// read ends exactly once with its bytes and one notification, and the process stays under 320 MB
// of RSS (measured: 180-205 MB on both engines; glibc's AIO 128 MB, node:fs/promises' 20,000
// FileHandle.reads 182 MB, in the same heap). At 30,000 the harness's own objects (and Node's
// FileHandle.read alike) pass 64 MB of heap: that is Node's limit, not this one's.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { describeRun, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions } from './helpers/limits-burst.js';

const COUNT = 20_000;
const RSS_BOUND = 320 * 2 ** 20;

async function burst(impl: BurstOptions['impl'], via: BurstOptions['via'], env?: Record<string, string>): Promise<void> {
  // glibc's SIGEV_THREAD through koffi crashes the harness under this heap (koffi's callbacks, not
  // glibc): its reference runs without notifications.
  const options: BurstOptions = { impl, count: COUNT, via, notify: impl === 'syslet' ? 'thread' : 'none', waitMs: 60_000 };
  const run = await runBurstChild(null, options, { nodeFlags: ['--max-old-space-size=64'], rssLimitBytes: RSS_BOUND, timeoutMs: 90_000, ...(env === undefined ? {} : { env }) });
  assert.ok(run.report !== null, `${impl} ${via}: ${describeRun(run)} (peak RSS ${Math.round(run.peakRssBytes / 2 ** 20)} MB)`);
  assert.deepEqual([run.report.submitted, run.report.ended, run.report.unfinished, run.report.notifiedNever, run.report.notifiedTwice], [COUNT, { ok: COUNT }, 0, 0, 0], describeRun(run));
  assert.ok(run.peakRssBytes <= RSS_BOUND);
}

test('glibc and node:fs/promises (the references): 20,000 reads under a 64 MB heap', async () => {
  await burst('glibc', 'lio_listio');
  await burst('node', 'aio_read');
});

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine} engine: 20,000 aio_read and lio_listio reads end once each, with one notification, under 320 MB`, async () => {
    const env = engine === 'threads' ? { SYSLET_AIO_ENGINE: 'threads' } : undefined;
    await burst('syslet', 'lio_listio', env);
    await burst('syslet', 'aio_read', env);
  });
}
