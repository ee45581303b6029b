/** P3: QD1 submit-to-completion latency of cached 4 KiB reads; p50 (the row's figure) and p99. */
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { hostedEntry, picks } from '../hosts.js';
import { alternate } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

/**
 * runP3 - time every read one by one, per contender.
 *
 * @returns rows whose figure is the median over rounds of each round's p50 (ns), with `p99` and
 *   CPU per read likewise; target, per engine: the library's aio_read p50 ≤ 3 µs.
 */
export async function runP3(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 500 : 20_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 5);
  warmFile(ctx.dataset.bigFile);
  const spec = { kind: 'latency', file: ctx.dataset.bigFile, flags: 'r', blocks: ctx.dataset.blocks, ops, warmOps: ctx.quick ? 100 : 1000, qd: 1, blockSize: DATASET.blockSize } as const;
  const entries = picks(ctx.sets, 'latency', 1).map((p) => hostedEntry(p, spec));
  const rows = await alternate(entries, { rounds, log: ctx.log });
  return {
    id: 'P3',
    title: 'QD1 submit-to-completion latency, cached 4 KiB reads (p50; p99 alongside)',
    detail: `${ops} timed reads per run, ${rounds} rounds; figure = median over rounds of the run's p50`,
    unit: 'ns',
    baselines: ['fs.read cb QD1', 'glibc aio_read QD1', 'pread (FFI sync)'],
    rows,
    targets: librarySets(ctx).map(({ label }) => ({ text: `P3 aio_read QD1 (${label}) p50 ≤ 3 µs`, subject: libraryRow('syslet aio_read', 1, label), kind: 'max', metric: 'p50', want: 3000 })),
    seconds: (performance.now() - t0) / 1000,
  };
}
