/** P5: cached 4 KiB random writes (page cache, no fsync) at QD64, with QD1 rows (issue #3/#5). */
import fs from 'node:fs';
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { alternate } from './runner.js';
import { offsets, openFd, pickAll, transferEntries, type RunContext } from './context.js';

/**
 * runP5 - measure every write contender writing random blocks of the write file.
 *
 * @returns rows in ns/op; target: this library's aio_write QD64 ≥1.0x glibc aio_write QD64.
 */
export async function runP5(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 20_000 : 200_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 3 : 5);
  const qd1Ops = Math.floor(ops / 10);
  warmFile(ctx.dataset.writeFile);
  const fd = openFd(ctx.dataset.writeFile, 'r+');
  const writes = ctx.contenders.writes;
  const qd1 = writes.filter((c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((contender) => ({ contender, qd: 1, maxOps: qd1Ops }));
  const entries = transferEntries('write', [...pickAll(writes, 64), ...qd1], fd, ctx.dataset.writeFile, offsets(ctx, ops), DATASET.blockSize);
  try {
    const rows = await alternate(entries, { rounds, log: ctx.log });
    return {
      id: 'P5',
      title: 'cached 4 KiB random writes, 64 MiB file (no fsync)',
      detail: `${ops} ops per run at QD64 (QD1 rows: ${qd1Ops}), ${rounds} rounds`,
      unit: 'ns/op',
      baselines: ['glibc aio_write QD64', 'fs.write cb QD64', 'pwrite (FFI sync)'],
      rows,
      targets: [{ text: 'P5 aio_write QD64 ≥1.0x glibc aio_write QD64 (koffi)', subject: 'syslet aio_write QD64', kind: 'speedup', baseline: 'glibc aio_write QD64', want: 1.0 }],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    fs.closeSync(fd);
  }
}
