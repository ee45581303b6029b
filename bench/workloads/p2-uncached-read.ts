/**
 * P2: uncached 4 KiB random reads at QD64: the page cache is dropped before every measured run,
 * and each run reads distinct blocks, so every read starts as a page-cache miss. The contenders'
 * processes are long-lived (P2 cold has a fresh process per run); the io_uring C anchor is the
 * floor.
 */
import type { Target, WorkloadResult } from '../result.js';
import { anchorEntry, URING_ANCHOR } from '../anchor.js';
import { DATASET, dropCaches } from '../dataset.js';
import { hostedEntry, picks } from '../hosts.js';
import { alternate } from './runner.js';
import { libraryRow, librarySets, type RunContext } from './context.js';

const GLIBC = 'glibc aio_read QD64';
const ANCHOR = `${URING_ANCHOR} QD64`;

/**
 * uncachedTargets - P2's targets for one engine's row (shared by P2 and P2 cold).
 *
 * @param tag - `P2` or `P2 cold`.
 */
export function uncachedTargets(tag: string, label: string, glibc: string, anchor: string, withSpeedup: boolean): Target[] {
  const subject = libraryRow('syslet aio_read', 64, label);
  const speed: Target[] = withSpeedup
    ? [
        { text: `${tag} aio_read QD64 (${label}) ≥2x ${glibc}`, subject, kind: 'speedup', baseline: glibc, want: 2, floor: anchor, floorLabel: 'io_uring floor' },
        { text: `${tag} aio_read QD64 (${label}) within 1.3x of the ${anchor}`, subject, kind: 'speedup', baseline: anchor, want: 1 / 1.3 },
      ]
    : [{ text: `${tag} aio_read QD64 (${label}) first reads no slower than ${glibc}'s`, subject, kind: 'speedup', baseline: glibc, want: 1, floor: anchor, floorLabel: 'io_uring floor' }];
  return [...speed, { text: `${tag} aio_read QD64 (${label}) CPU per uncached read ≤ ${glibc}'s`, subject, kind: 'speedup', metric: 'cpu', baseline: glibc, want: 1 }];
}

/**
 * runP2 - measure read contenders on a cold page cache (root only).
 *
 * @returns rows in ns/op; when the cache cannot be dropped, a result with `skipped` set and no rows.
 */
export async function runP2(ctx: RunContext): Promise<WorkloadResult> {
  const t0 = performance.now();
  // Every read of one run must be a distinct block, so a run never exceeds the file's block count.
  const ops = Math.min(ctx.dataset.blocks, ctx.quick ? 512 : 16384);
  const rounds = ctx.rounds ?? (ctx.quick ? 1 : 3);
  const qd1Ops = Math.min(ops, ctx.quick ? 128 : 2048);
  const result: WorkloadResult = {
    id: 'P2',
    title: 'uncached 4 KiB random reads, 64 MiB file',
    detail: `${ops} distinct blocks per run at QD64 (QD1 rows: ${qd1Ops}), ${rounds} rounds, page cache dropped before each run, long-lived processes (the anchor: one per run)`,
    unit: 'ns/op',
    baselines: [GLIBC, ANCHOR, 'fs.read cb QD64'],
    rows: [],
    targets: librarySets(ctx).flatMap(({ label }) => uncachedTargets('P2', label, GLIBC, ANCHOR, true)),
    seconds: 0,
  };
  if (ctx.uncachedSkip !== undefined) {
    result.skipped = `skipped: ${ctx.uncachedSkip}`;
    return result;
  }
  const spec = { kind: 'read', file: ctx.dataset.bigFile, flags: 'r', blocks: ctx.dataset.blocks, ops, warmOps: ctx.quick ? 256 : 2048, qd: 64, blockSize: DATASET.blockSize } as const;
  const qd1 = picks(ctx.sets, 'read', 1, (c) => !c.sync && (c.family === 'syslet' || c.family === 'glibc')).map((p) => ({ ...p, maxOps: qd1Ops }));
  const entries = [...picks(ctx.sets, 'read', 64).map((p) => hostedEntry(p, spec)), anchorEntry(ctx.anchor, ctx.dataset.bigFile, ops, 64), ...qd1.map((p) => hostedEntry(p, spec))];
  result.rows.push(...(await alternate(entries, { rounds, beforeEach: dropCaches, log: ctx.log })));
  result.seconds = (performance.now() - t0) / 1000;
  return result;
}
