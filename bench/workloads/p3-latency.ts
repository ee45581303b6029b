/** P3: QD1 submit-to-completion latency of cached 4 KiB reads; p50 (the row's figure) and p99. */
import fs from 'node:fs';
import type { LatencyJob } from '../contenders/types.js';
import type { WorkloadResult } from '../result.js';
import { DATASET, warmFile } from '../dataset.js';
import { percentile } from '../stats.js';
import { alternate, rowName, type Entry } from './runner.js';
import { offsets, openFd, type RunContext } from './context.js';

/**
 * runP3 - time every read one by one, per contender.
 *
 * @returns rows whose figure is the median over rounds of each round's p50 (ns), with `p99`
 *   likewise; target: this library's aio_read p50 ≤ 3 µs.
 */
export async function runP3(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const ops = ctx.quick ? 2_000 : 20_000;
  const rounds = ctx.rounds ?? (ctx.quick ? 3 : 5);
  warmFile(ctx.dataset.bigFile);
  const fd = openFd(ctx.dataset.bigFile, 'r');
  const all = offsets(ctx, ops);
  const entries: Entry[] = ctx.contenders.latency.map((c) => {
    const job: LatencyJob = { fd, path: ctx.dataset.bigFile, offsets: all, qd: 1, blockSize: DATASET.blockSize, samples: new Float64Array(ops) };
    const warm: LatencyJob = { ...job, offsets: all.subarray(0, Math.min(ops, 1000)) };
    return {
      name: rowName(c.name, c.sync, 1),
      family: c.family,
      qd: 1,
      unavailable: c.unavailable,
      setup: () => c.setup(job),
      warmup: () => c.runLatency(warm),
      async measure() {
        job.samples.fill(NaN);
        await c.runLatency(job);
        if (job.samples.some(Number.isNaN)) throw new Error(`${c.name} left latency samples unfilled`);
        return { value: percentile(job.samples, 50), p99: percentile(job.samples, 99) };
      },
      teardown: () => c.teardown(),
    };
  });
  try {
    const rows = await alternate(entries, { rounds, log: ctx.log });
    return {
      id: 'P3',
      title: 'QD1 submit-to-completion latency, cached 4 KiB reads (p50; p99 alongside)',
      detail: `${ops} timed reads per run, ${rounds} rounds; figure = median over rounds of the run's p50`,
      unit: 'ns',
      baselines: ['fs.read cb QD1', 'glibc aio_read QD1', 'pread (FFI sync)'],
      rows,
      targets: [{ text: 'P3 aio_read QD1 p50 ≤ 3 µs', subject: 'syslet aio_read QD1', kind: 'max', metric: 'p50', want: 3000 }],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    fs.closeSync(fd);
  }
}
