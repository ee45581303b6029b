/**
 * P4: the small-file chain: open+fstat+read+close of 2,000 cached 4 KiB files, through
 * file.readAll (one syslet per file), against fs.promises.readFile, fs.readFileSync and the same
 * syscalls made one by one from JS through the FFI (issue #5).
 */
import type { WorkloadResult } from '../result.js';
import { DATASET } from '../dataset.js';
import { hostedEntry, picks } from '../hosts.js';
import { alternate } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

const QD = 64;

/**
 * runP4 - read every small file completely, per contender.
 *
 * @returns rows in ns per file (and CPU per file); target, per engine: file.readAll ≥5x
 *   fs.promises.readFile.
 */
export async function runP4(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 5);
  const paths = ctx.quick ? ctx.dataset.smallFiles.slice(0, 100) : ctx.dataset.smallFiles;
  const spec = { kind: 'chain', paths, fileSize: DATASET.smallFileBytes, qd: QD } as const;
  // The warm-up also pulls every file (and its dentry and inode) into cache: P4 is a cached run.
  const entries = picks(ctx.sets, 'chain', QD).map((p) => hostedEntry(p, spec));
  const rows = await alternate(entries, { rounds, log: ctx.log });
  const baseline = `fs.promises.readFile QD${QD}`;
  return {
    id: 'P4',
    title: `open+fstat+read+close of ${paths.length} cached ${DATASET.smallFileBytes / 1024} KiB files`,
    detail: `every file once per run, async contenders ${QD} files in flight, ${rounds} rounds`,
    unit: 'ns/file',
    baselines: [baseline, 'syscalls one by one (FFI)', 'fs.readFileSync'],
    rows,
    targets: librarySets(ctx).map(({ label }) => ({
      text: `P4 file.readAll (${label}) ≥5x fs.promises.readFile`,
      subject: libraryRow('syslet file.readAll', QD, label),
      kind: 'speedup',
      baseline,
      want: 5,
      floor: 'syscalls one by one (FFI)',
    })),
    seconds: (performance.now() - t0) / 1000,
  };
}
