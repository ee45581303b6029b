/** P1: cached 4 KiB random reads of the 64 MiB file at QD64 (and QD1 rows, issue #3/#5). */
import type { Target, WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { hostedEntry, picks } from '../hosts.js';
import { alternate } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

const FLOOR = 'pread (FFI sync)';

/**
 * runP1 - measure every read contender on cached random reads.
 *
 * @returns the workload's rows (ns/op, CPU ns/op) and its targets, for each of the library's
 *   engines: aio_read QD64 within 1.5x of the synchronous pread loop through the FFI, aio.read
 *   within 2x of it (issue 16), and aio_read at least as fast as glibc's aio_read (issue #7).
 */
export async function runP1(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 2_000 : 200_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 5);
  const qd1Ops = Math.floor(ops / 10);
  warmFile(ctx.dataset.bigFile);
  const spec = { kind: 'read', file: ctx.dataset.bigFile, flags: 'r', blocks: ctx.dataset.blocks, ops, warmOps: ctx.quick ? 256 : 2048, qd: 64, blockSize: DATASET.blockSize } as const;
  const qd1 = picks(ctx.sets, 'read', 1, (c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((p) => ({ ...p, maxOps: qd1Ops }));
  const entries = [...picks(ctx.sets, 'read', 64), ...qd1].map((p) => hostedEntry(p, spec));
  const rows = await alternate(entries, { rounds, log: ctx.log });
  const targets: Target[] = librarySets(ctx).flatMap(({ label }) => [
    { text: `P1 aio_read QD64 (${label}) within 1.5x of the sync FFI pread floor`, subject: libraryRow('syslet aio_read', 64, label), kind: 'speedup', baseline: FLOOR, want: 1 / 1.5 },
    { text: `P1 aio.read QD64 (${label}) within 2x of the sync FFI pread floor`, subject: libraryRow('syslet aio.read', 64, label), kind: 'speedup', baseline: FLOOR, want: 0.5 },
    { text: `P1 aio_read QD64 (${label}) ≥1.0x glibc aio_read QD64`, subject: libraryRow('syslet aio_read', 64, label), kind: 'speedup', baseline: 'glibc aio_read QD64', want: 1, floor: FLOOR },
  ]);
  return {
    id: 'P1',
    title: 'cached 4 KiB random reads, 64 MiB file',
    detail: `${ops} ops per run at QD64 (QD1 rows: ${qd1Ops}), ${rounds} rounds, page cache warm, each contender in its own long-lived process`,
    unit: 'ns/op',
    baselines: [FLOOR, 'glibc aio_read QD64', 'fs.read cb QD64'],
    rows,
    targets,
    seconds: (performance.now() - t0) / 1000,
  };
}
