/**
 * P2: uncached 4 KiB random reads at QD64: the page cache is dropped before every measured run,
 * and each run reads distinct blocks, so every read starts as a page-cache miss.
 */
import fs from 'node:fs';
import type { WorkloadResult } from '../result.js';
import { DATASET, dropCaches } from '../dataset.js';
import { alternate } from './runner.js';
import { offsets, openFd, pickAll, transferEntries, type RunContext } from './context.js';

const TITLE = 'uncached 4 KiB random reads, 64 MiB file';
const BASELINES = ['glibc aio_read QD64', 'pread (FFI sync)', 'fs.read cb QD64'];
const TARGETS = [
  { text: 'P2 aio_read QD64 uncached ≥2x glibc aio_read QD64', subject: 'syslet aio_read QD64', kind: 'speedup', baseline: 'glibc aio_read QD64', want: 2 },
  { text: '#3 uncached QD64 ≥2x sync pread loop', subject: 'syslet aio_read QD64', kind: 'speedup', baseline: 'pread (FFI sync)', want: 2 },
] as const;

/**
 * runP2 - measure read contenders on a cold page cache (root only).
 *
 * @returns rows in ns/op; when the cache cannot be dropped, a result with `skipped` set and no rows.
 */
export async function runP2(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  // Every read of one run must be a distinct block, so a run never exceeds the file's block count.
  const ops = Math.min(ctx.dataset.blocks, ctx.quick ? 2048 : 16384);
  const rounds = ctx.rounds ?? (ctx.quick ? 2 : 3);
  const result: WorkloadResult = {
    id: 'P2',
    title: TITLE,
    detail: `${ops} distinct blocks per run at QD64 (QD1 rows too), ${rounds} rounds, page cache dropped before each run`,
    unit: 'ns/op',
    baselines: BASELINES,
    rows: [],
    targets: TARGETS.map((t) => ({ ...t })),
    seconds: 0,
  };
  if (ctx.uncachedSkip !== undefined) {
    result.skipped = `skipped: ${ctx.uncachedSkip}`;
    return result;
  }
  const fd = openFd(ctx.dataset.bigFile, 'r');
  const reads = ctx.contenders.reads;
  const qd1 = reads.filter((c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((contender) => ({ contender, qd: 1 }));
  const entries = transferEntries('read', [...pickAll(reads, 64), ...qd1], fd, ctx.dataset.bigFile, offsets(ctx, ops), DATASET.blockSize);
  try {
    result.rows.push(...(await alternate(entries, { rounds, beforeEach: dropCaches, log: ctx.log })));
  } finally {
    fs.closeSync(fd);
  }
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
