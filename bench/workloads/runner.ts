/**
 * The alternation engine every workload uses: for each round, run every contender (set up, warmed,
 * measured, torn down) in a rotated order (so none always runs first, after a GC, or on a
 * cache another one warmed), and summarise each contender's rounds by their median.
 */
import { median } from '../stats.js';
import type { Family } from '../contenders/types.js';
import type { Row } from '../result.js';

/** What one measured run of an entry reports. */
export interface Measure {
  /** The primary metric for this round (ns/op, ns/file, or p50 ns). */
  readonly value: number;
  /** CPU time of the contender's process (every thread) per operation, ns. */
  readonly cpu?: number;
  /** P3 only: this round's p99 in ns. */
  readonly p99?: number;
  /** P6 only: memory figures of this round (the row keeps the last round's). */
  readonly extra?: Record<string, number>;
}

/** One contender bound to one job: the unit the runner alternates. */
export interface Entry {
  readonly name: string;
  readonly family: Family;
  readonly qd: number;
  readonly unavailable?: string | undefined;
  setup(): Promise<void> | void;
  /** An unmeasured run to warm JIT and caches; optional. */
  warmup?(): Promise<void>;
  measure(): Promise<Measure>;
  teardown(): Promise<void> | void;
}

/** Options of {@link alternate}. */
export interface AlternateOptions {
  readonly rounds: number;
  /** Called before every measured run (the uncached workload drops the page cache here). */
  readonly beforeEach?: () => void;
  /** Progress line sink (stderr in the CLI). */
  readonly log?: (line: string) => void;
}

/**
 * alternate - run every entry `rounds` times, rotating the order each round.
 *
 * @param entries - the contenders bound to their jobs.
 * @returns one row per entry, in entry order; an entry that is unavailable, or throws during setup
 *   or any run, gets status `unavailable`/`error` and no figures (never a partial median).
 * @example
 * ```ts
 * const rows = await alternate(entries, { rounds: 5 });
 * ```
 */
export async function alternate(entries: readonly Entry[], options: AlternateOptions): Promise<Row[]> {
  const rows: Row[] = entries.map((e) => ({ name: e.name, family: e.family, qd: e.qd, status: 'ok', rounds: [], ratios: {} }));
  const p99s: number[][] = entries.map(() => []);
  const cpus: number[][] = entries.map(() => []);
  const live = new Set<number>();
  const fail = (i: number, status: 'unavailable' | 'error', reason: string): void => {
    const row = rows[i] as Row;
    row.status = status;
    row.reason = reason;
    live.delete(i);
  };
  for (const [i, e] of entries.entries()) {
    if (e.unavailable !== undefined) fail(i, 'unavailable', e.unavailable);
    else live.add(i);
  }
  for (let round = 0; round < options.rounds; round++) {
    for (let k = 0; k < entries.length; k++) {
      const i = (k + round) % entries.length;
      if (!live.has(i)) continue;
      const e = entries[i] as Entry;
      // Set up and tear down around every run: one contender object may serve several entries
      // (QD64 and QD1 rows), and per-run setup keeps their buffers and control blocks apart.
      let ready = false;
      try {
        await e.setup();
        ready = true;
        await e.warmup?.();
        options.beforeEach?.();
        const m = await e.measure();
        (rows[i] as Row).rounds.push(m.value);
        if (m.p99 !== undefined) (p99s[i] as number[]).push(m.p99);
        if (m.cpu !== undefined && Number.isFinite(m.cpu)) (cpus[i] as number[]).push(m.cpu);
        if (m.extra !== undefined) (rows[i] as Row).extra = m.extra;
        options.log?.(`  round ${round + 1}/${options.rounds} ${e.name}: ${m.value.toFixed(0)}${m.cpu === undefined ? '' : ` (cpu ${m.cpu.toFixed(0)})`}`);
      } catch (err) {
        fail(i, 'error', message(err));
      } finally {
        if (ready) await teardown(e);
      }
    }
  }
  for (const [i, row] of rows.entries()) {
    if (row.status !== 'ok') {
      row.rounds.length = 0;
      continue;
    }
    row.median = median(row.rounds);
    row.min = Math.min(...row.rounds);
    row.max = Math.max(...row.rounds);
    const p = p99s[i] as number[];
    if (p.length > 0) row.p99 = median(p);
    const c = cpus[i] as number[];
    if (c.length > 0) row.cpu = median(c);
  }
  return rows;
}

/**
 * timed - run `work` in this process and return its wall and CPU time (every thread of the
 * process: `process.cpuUsage`) per operation in nanoseconds.
 *
 * @param ops - operations the work performs (> 0).
 */
export async function timed(ops: number, work: () => Promise<unknown>): Promise<Measure> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await work();
  const wall = (performance.now() - t0) * 1e6;
  const cpu = process.cpuUsage(cpu0);
  return { value: wall / ops, cpu: ((cpu.user + cpu.system) * 1000) / ops };
}

/** rowName - the row label: asynchronous contenders carry their queue depth. */
export function rowName(name: string, sync: boolean | undefined, qd: number): string {
  return sync ? name : `${name} QD${qd}`;
}

async function teardown(e: Entry): Promise<void> {
  try {
    await e.teardown();
  } catch {
    // A failing teardown must not hide the figures of a run that completed.
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message.split('\n')[0] ?? err.name : String(err);
}
