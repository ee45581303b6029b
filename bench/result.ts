/** The shapes of a benchmark run's results: what the table prints and what `--json` emits. */
import type { Family } from './contenders/types.js';

/** One contender's row in one workload. */
export interface Row {
  /** Label, with the queue depth appended for asynchronous contenders (`'glibc aio_read QD64'`). */
  readonly name: string;
  readonly family: Family;
  /** Requests in flight (1 for synchronous contenders). */
  readonly qd: number;
  /** `ok` measured; `unavailable` not run (reason says why); `error` it threw (reason has the message). */
  status: 'ok' | 'unavailable' | 'error';
  reason?: string;
  /** The primary metric per round (ns/op, ns/file, p50 ns, or % growth for P6). */
  readonly rounds: number[];
  /** Median of `rounds`, undefined unless status is ok. */
  median?: number;
  min?: number;
  max?: number;
  /** Median over rounds of the CPU time (every thread of the contender's process) per operation, ns. */
  cpu?: number;
  /** P3: median across rounds of each round's p99 (ns). */
  p99?: number;
  /** P6: memory figures (bytes) and their growth. */
  extra?: Record<string, number>;
  /** Speed-up against each baseline row: baseline median / this median (>1 is faster). */
  ratios: Record<string, number>;
}

/** One target of issue #7 (or #3/#5), checked against the rows. */
export interface Target {
  readonly text: string;
  /** Row the target is about. */
  readonly subject: string;
  /**
   * `speedup`: subject must be ≥ `want` times faster than `baseline` (on `metric` `cpu`: use ≥
   * `want` times less CPU per operation); `max`: subject's metric ≤ `want`.
   */
  readonly kind: 'speedup' | 'max';
  readonly baseline?: string;
  /** A non-primary metric: `'cpu'` (speed-up targets), `'p50'`, `'nativeGrowthBytes'` (max targets). */
  readonly metric?: string;
  readonly want: number;
  /**
   * For `speedup` targets: the row that is the floor of one thread doing the same work with no
   * scheduling at all (the synchronous loop through the same FFI). When the target asks for a
   * figure below it, the report says so: such a target cannot be met by making this library's
   * own code cheaper, only by running the kernel's part on more than one core.
   */
  readonly floor?: string;
  /** How the report names the floor (default `one-thread floor`). */
  readonly floorLabel?: string;
  got?: number;
  /**
   * Wall-time speed-up targets: the same ratio on CPU time per operation. On a shared machine a
   * process that sleeps between operations is scheduled sooner than one that never sleeps, so
   * wall ratios move with the load while CPU ratios stay; the report prints both.
   */
  cpuGot?: number;
  /** The figure the subject needed to reach the target (same unit as the rows). */
  needed?: number;
  status?: 'met' | 'missed' | 'n/a';
  why?: string;
}

/** One workload's results. */
export interface WorkloadResult {
  /** `'P1'` .. `'P6'`, `'P2COLD'`. */
  readonly id: string;
  readonly title: string;
  /** Ops, rounds, queue depth, file: how the figures were produced. */
  readonly detail: string;
  /** Unit of the primary metric. */
  readonly unit: 'ns/op' | 'ns/file' | 'ns' | '%';
  /** Row names every row is compared against. */
  readonly baselines: readonly string[];
  readonly rows: Row[];
  readonly targets: Target[];
  /** Set when the workload did not run (e.g. `'skipped: not root'`). */
  skipped?: string;
  /** Wall time spent on the workload. */
  seconds: number;
}
