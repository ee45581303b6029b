/** P1: cached 4 KiB random reads of the 64 MiB file at QD64 (and QD1 rows, issue #3/#5). */
import fs from 'node:fs';
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { alternate } from './runner.js';
import { offsets, openFd, pickAll, transferEntries, type RunContext } from './context.js';

/**
 * runP1 - measure every read contender on cached random reads.
 *
 * @returns the workload's rows (ns/op) and its targets: ≥2.5x fs.read callbacks and ≥1.0x glibc
 *   aio_read at QD64 (issue #7), within 2x of the synchronous pread loop through the FFI (issue #3).
 */
export async function runP1(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 20_000 : 200_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 3 : 5);
  const qd1Ops = Math.floor(ops / 10);
  warmFile(ctx.dataset.bigFile);
  const fd = openFd(ctx.dataset.bigFile, 'r');
  const reads = ctx.contenders.reads;
  const qd1 = reads.filter((c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((contender) => ({ contender, qd: 1, maxOps: qd1Ops }));
  const entries = transferEntries('read', [...pickAll(reads, 64), ...qd1], fd, ctx.dataset.bigFile, offsets(ctx, ops), DATASET.blockSize);
  try {
    const rows = await alternate(entries, { rounds, log: ctx.log });
    return {
      id: 'P1',
      title: 'cached 4 KiB random reads, 64 MiB file',
      detail: `${ops} ops per run at QD64 (QD1 rows: ${qd1Ops}), ${rounds} rounds, page cache warm`,
      unit: 'ns/op',
      baselines: ['fs.read cb QD64', 'glibc aio_read QD64', 'pread (FFI sync)'],
      rows,
      targets: [
        { text: 'P1 aio_read QD64 ≥2.5x Node fs.read callbacks QD64', subject: 'syslet aio_read QD64', kind: 'speedup', baseline: 'fs.read cb QD64', want: 2.5, floor: 'pread (FFI sync)' },
        { text: 'P1 aio_read QD64 ≥1.0x glibc aio_read QD64 (koffi)', subject: 'syslet aio_read QD64', kind: 'speedup', baseline: 'glibc aio_read QD64', want: 1.0 },
        { text: '#3 cached QD64 within 2x of sync pread through the FFI', subject: 'syslet aio_read QD64', kind: 'speedup', baseline: 'pread (FFI sync)', want: 0.5 },
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    fs.closeSync(fd);
  }
}
