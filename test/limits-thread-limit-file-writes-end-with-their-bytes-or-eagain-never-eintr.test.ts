// RLIMIT_NPROC reached (the child runs as nobody and sets it to 1 once loaded): 200 aio_write of
// 4 KiB blocks to a regular file. glibc refuses each at submission with EAGAIN (no helper thread
// can start); node:fs/promises writes them all (its pool's threads exist already); the threads
// engine ends each once with EAGAIN. On the io_uring engine each of the 200 writes ended with EINTR,
// an errno no aio_write has and a program would retry for ever: a buffered ext4 write goes to the
// ring's io-wq workers, the kernel cannot create one at the thread limit and cancels the request
// (-ECANCELED), and engine/uring-engine.ts reads every -ECANCELED as a cancelled call (-EINTR),
// also one it never asked for. Fixed (session 21, coord21): a -ECANCELED the engine did not ask
// for is the ring being unable to run the request, whose chain then goes on from that atom on a
// cachemiss thread (here none can start either: EAGAIN, as on the threads engine).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildLauncher, describeRun, needsRoot, NOBODY, runBurstChild } from './helpers/limits-run.js';
import type { BurstOptions, BurstReport } from './helpers/limits-burst.js';

const launcher = buildLauncher();
const COUNT = 200;
const EAGAIN = 11;
const skipReason = launcher.missing ?? needsRoot();

async function burst(impl: BurstOptions['impl'], engine?: 'threads'): Promise<BurstReport> {
  const options: BurstOptions = { impl, op: 'write', count: COUNT, block: 4096, via: 'aio_read', notify: 'none', waitMs: 20_000, limitsAfterLoad: { nproc: 1 } };
  const run = await runBurstChild(launcher.path, options, { launcher: [`--uid=${NOBODY}`], ...(engine === undefined ? {} : { env: { SYSLET_AIO_ENGINE: engine } }) });
  assert.ok(run.report !== null, describeRun(run));
  assert.equal(run.report.unfinished, 0, describeRun(run));
  return run.report;
}

function endedWithBytesOrEagain(report: BurstReport): void {
  const { ok = 0, [EAGAIN]: eagain = 0, ...other } = report.ended;
  assert.deepEqual([other, ok + eagain, report.submitted], [{}, COUNT, COUNT], JSON.stringify(report));
}

test('glibc refuses every write with EAGAIN; node:fs/promises writes them all (the references)', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  const glibc = await burst('glibc');
  assert.deepEqual([glibc.submitted, glibc.refused], [0, { [EAGAIN]: COUNT }]);
  assert.deepEqual((await burst('node')).ended, { ok: COUNT });
});

test('threads engine: each write ends once, with its bytes or EAGAIN', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  endedWithBytesOrEagain(await burst('syslet', 'threads'));
});

test('io_uring engine: each write ends once, with its bytes or EAGAIN, never EINTR', async (t) => {
  if (skipReason !== null) return t.skip(skipReason);
  endedWithBytesOrEagain(await burst('syslet'));
});
