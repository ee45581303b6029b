/** What every workload receives from main.ts, and the entry builders they share. */
import fs from 'node:fs';
import type { ContenderSet, ReadContender, TransferJob, WriteContender } from '../contenders/types.js';
import type { Dataset } from '../dataset.js';
import { offsetsFor } from '../dataset.js';
import { rowName, timed, type Entry } from './runner.js';

/** The run-wide context. */
export interface RunContext {
  readonly quick: boolean;
  /** `--rounds N` when given; each workload has its own default otherwise. */
  readonly rounds: number | undefined;
  readonly dataset: Dataset;
  readonly contenders: ContenderSet;
  /** The seeded permutation of the big file's blocks: every contender's offsets come from it. */
  readonly perm: Uint32Array;
  /** Why uncached runs cannot happen (`'not root'`), or undefined when they can. */
  readonly uncachedSkip: string | undefined;
  readonly log: (line: string) => void;
}

/** How a workload lists a contender: at which queue depth, and optionally on fewer operations. */
export interface Pick<C> {
  readonly contender: C;
  readonly qd: number;
  /** Run only this many of the offsets (slow QD1 rows): per-op figures stay comparable. */
  readonly maxOps?: number;
}

/** pickAll - every contender at `qd`; synchronous ones at QD1. */
export function pickAll<C extends { sync?: boolean }>(list: readonly C[], qd: number): Pick<C>[] {
  return list.map((contender) => ({ contender, qd: contender.sync ? 1 : qd }));
}

/** An open fd that the workload closes after its rows are measured. */
export function openFd(file: string, flags: 'r' | 'r+'): number {
  return fs.openSync(file, flags);
}

function job(fd: number, path: string, offsets: Uint32Array, qd: number, blockSize: number): TransferJob {
  return { fd, path, offsets, qd, blockSize };
}

/**
 * transferEntries - bind read or write contenders to a job over `offsets`, as runner entries.
 *
 * @param kind - `read` calls runReads, `write` calls runWrites.
 * @param offsets - block indexes, shared by every entry (each may use a prefix, see Pick.maxOps).
 */
export function transferEntries(
  kind: 'read' | 'write',
  picks: readonly Pick<ReadContender | WriteContender>[],
  fd: number,
  path: string,
  offsets: Uint32Array,
  blockSize: number,
): Entry[] {
  return picks.map(({ contender: c, qd, maxOps }) => {
    const ops = Math.min(offsets.length, maxOps ?? Infinity);
    const j = job(fd, path, offsets.subarray(0, ops), qd, blockSize);
    const warm = job(fd, path, offsets.subarray(0, Math.min(ops, 2048)), qd, blockSize);
    const run = (t: TransferJob): Promise<void> => (kind === 'read' ? (c as ReadContender).runReads(t) : (c as WriteContender).runWrites(t));
    return {
      name: rowName(c.name, c.sync, qd),
      family: c.family,
      qd,
      unavailable: c.unavailable,
      setup: () => c.setup(j),
      warmup: () => run(warm),
      measure: () => timed(ops, () => run(j)),
      teardown: () => c.teardown(),
    };
  });
}

/** offsets - `ops` block indexes from the run's permutation. */
export function offsets(ctx: RunContext, ops: number): Uint32Array {
  return offsetsFor(ctx.perm, ops);
}
