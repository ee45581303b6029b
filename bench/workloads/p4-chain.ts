/**
 * P4: the small-file chain: open+fstat+read+close of 2,000 cached 4 KiB files, through
 * file.readAll (one syslet per file), against fs.promises.readFile, fs.readFileSync and the same
 * syscalls made one by one from JS through the FFI (issue #5).
 */
import type { ChainJob } from '../contenders/types.js';
import type { WorkloadResult } from '../result.js';
import { DATASET } from '../dataset.js';
import { alternate, rowName, type Entry } from './runner.js';
import type { RunContext } from './context.js';

const QD = 64;

/**
 * runP4 - read every small file completely, per contender.
 *
 * @returns rows in ns per file; target: file.readAll ≥5x fs.promises.readFile.
 */
export async function runP4(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const rounds = ctx.rounds ?? (ctx.quick ? 3 : 5);
  const job: ChainJob = { paths: ctx.dataset.smallFiles, fileSize: DATASET.smallFileBytes, qd: QD };
  const expected = job.paths.length * job.fileSize;
  const entries: Entry[] = ctx.contenders.chains.map((c) => ({
    name: rowName(c.name, c.sync, QD),
    family: c.family,
    qd: c.sync ? 1 : QD,
    unavailable: c.unavailable,
    setup: () => c.setup(job),
    // The warm-up also pulls every file (and its dentry and inode) into cache: P4 is a cached run.
    warmup: async () => void (await c.runChain(job)),
    async measure() {
      const start = performance.now();
      const bytes = await c.runChain(job);
      const ns = (performance.now() - start) * 1e6;
      if (bytes !== expected) throw new Error(`${c.name} read ${bytes} bytes, expected ${expected}`);
      return { value: ns / job.paths.length };
    },
    teardown: () => c.teardown(),
  }));
  const rows = await alternate(entries, { rounds, log: ctx.log });
  return {
    id: 'P4',
    title: `open+fstat+read+close of ${job.paths.length} cached ${job.fileSize / 1024} KiB files`,
    detail: `every file once per run, async contenders ${QD} files in flight, ${rounds} rounds`,
    unit: 'ns/file',
    baselines: [`fs.promises.readFile QD${QD}`, 'syscalls one by one (FFI)', 'fs.readFileSync'],
    rows,
    targets: [{ text: 'P4 file.readAll ≥5x fs.promises.readFile', subject: `syslet file.readAll QD${QD}`, kind: 'speedup', baseline: `fs.promises.readFile QD${QD}`, want: 5, floor: 'syscalls one by one (FFI)' }],
    seconds: (performance.now() - t0) / 1000,
  };
}
