/** P5: cached 4 KiB random writes (page cache, no fsync) at QD64, with QD1 rows (issue #3/#5). */
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { hostedEntry, picks } from '../hosts.js';
import { alternate } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

/**
 * runP5 - measure every write contender writing random blocks of the write file.
 *
 * @returns rows in ns/op; target, per engine: aio_write QD64 ≥1.5x glibc aio_write QD64, with the
 *   synchronous pwrite loop as the one-thread floor.
 */
export async function runP5(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 2_000 : 200_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 5);
  const qd1Ops = Math.floor(ops / 10);
  warmFile(ctx.dataset.writeFile);
  const spec = { kind: 'write', file: ctx.dataset.writeFile, flags: 'r+', blocks: ctx.dataset.blocks, ops, warmOps: ctx.quick ? 256 : 2048, qd: 64, blockSize: DATASET.blockSize } as const;
  const qd1 = picks(ctx.sets, 'write', 1, (c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((p) => ({ ...p, maxOps: qd1Ops }));
  const entries = [...picks(ctx.sets, 'write', 64), ...qd1].map((p) => hostedEntry(p, spec));
  const rows = await alternate(entries, { rounds, log: ctx.log });
  return {
    id: 'P5',
    title: 'cached 4 KiB random writes, 64 MiB file (no fsync)',
    detail: `${ops} ops per run at QD64 (QD1 rows: ${qd1Ops}), ${rounds} rounds`,
    unit: 'ns/op',
    baselines: ['glibc aio_write QD64', 'fs.write cb QD64', 'pwrite (FFI sync)'],
    rows,
    targets: librarySets(ctx).map(({ label }) => ({
      text: `P5 aio_write QD64 (${label}) ≥1.5x glibc aio_write QD64`,
      subject: libraryRow('syslet aio_write', 64, label),
      kind: 'speedup',
      baseline: 'glibc aio_write QD64',
      want: 1.5,
      floor: 'pwrite (FFI sync)',
    })),
    seconds: (performance.now() - t0) / 1000,
  };
}
