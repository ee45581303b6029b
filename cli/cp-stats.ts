/**
 * What a copy measured, and the summary made of it. Latencies go into a fixed log-linear
 * histogram (HDR style: 64 linear steps per power of two, under 1% error) instead of an array of
 * samples, so recording one allocates nothing and a 100 GiB copy at 4 KiB blocks costs the same
 * 20 KiB as a small one.
 */
import { formatBytes, formatNs, MIB } from './cp-units.js';

const SUB_BITS = 6;
const SUB = 1 << SUB_BITS;
// 2^45 ns is almost ten hours: anything slower is recorded as that.
const MAX_EXPONENT = 45;
const BUCKETS = (MAX_EXPONENT - SUB_BITS + 2) * SUB;

/**
 * LatencyHistogram - nanosecond latencies, with percentiles.
 *
 * @example
 * ```ts
 * const h = new LatencyHistogram();
 * h.record(12_345);
 * h.percentile(99); // ≈ 12345 (within 1%)
 * ```
 */
export class LatencyHistogram {
  readonly #counts = new Float64Array(BUCKETS);
  #count = 0;
  #min = Infinity;
  #max = 0;
  #sum = 0;

  /** Samples recorded. */
  get count(): number {
    return this.#count;
  }

  /** The largest sample (exact), 0 when empty. */
  get max(): number {
    return this.#max;
  }

  /** The mean (exact), NaN when empty. */
  get mean(): number {
    return this.#count === 0 ? NaN : this.#sum / this.#count;
  }

  /** record - add one latency in nanoseconds (negative or NaN samples are ignored: a clock that went backwards is not a latency). */
  record(ns: number): void {
    if (!(ns >= 0)) return;
    const bucket = bucketOf(ns);
    this.#counts[bucket] = (this.#counts[bucket] as number) + 1;
    this.#count++;
    this.#sum += ns;
    if (ns < this.#min) this.#min = ns;
    if (ns > this.#max) this.#max = ns;
  }

  /**
   * percentile - the latency that `p` percent of the samples do not exceed.
   *
   * @param p - 0 to 100.
   * @returns nanoseconds (the bucket's middle, kept within the exact min and max); NaN when empty.
   */
  percentile(p: number): number {
    if (this.#count === 0) return NaN;
    const rank = Math.max(1, Math.ceil((p / 100) * this.#count));
    let seen = 0;
    for (let i = 0; i < BUCKETS; i++) {
      seen += this.#counts[i] as number;
      if (seen >= rank) return Math.min(this.#max, Math.max(this.#min, middleOf(i)));
    }
    return this.#max;
  }
}

function bucketOf(ns: number): number {
  if (ns < SUB) return Math.floor(ns);
  const exponent = Math.min(MAX_EXPONENT, Math.floor(Math.log2(ns)));
  const step = 2 ** (exponent - SUB_BITS);
  const sub = Math.min(2 * SUB - 1, Math.floor(ns / step));
  return (exponent - SUB_BITS + 1) * SUB + sub - SUB;
}

function middleOf(bucket: number): number {
  if (bucket < SUB) return bucket;
  const exponent = Math.floor(bucket / SUB) + SUB_BITS - 1;
  return (SUB + (bucket % SUB) + 0.5) * 2 ** (exponent - SUB_BITS);
}

/** The counters the copy loop fills in. */
export interface CopyCounters {
  /** Bytes written to the destination. */
  bytes: number;
  /** Bytes of the source that were holes, skipped and left as holes in the destination. */
  holeBytes: number;
  reads: number;
  writes: number;
  /** Requests that completed inside aio_read/aio_write (the page cache answered). */
  inline: number;
  /** Requests that completed on a cachemiss thread. */
  cachemiss: number;
  /** Per-request latency, reads and writes together. */
  readonly latency: LatencyHistogram;
  /** Seconds from the first submission to the last completion (the fsync included, if asked). */
  seconds: number;
  /** Seconds the final aio_fsync took (0 without --fsync). */
  fsyncSeconds: number;
}

/** newCounters - zeroed counters for one copy. */
export function newCounters(): CopyCounters {
  return { bytes: 0, holeBytes: 0, reads: 0, writes: 0, inline: 0, cachemiss: 0, latency: new LatencyHistogram(), seconds: 0, fsyncSeconds: 0 };
}

/** The summary `cp --json` prints: one JSON document. */
export interface CopySummary {
  readonly src: string;
  readonly dst: string;
  /** The file's bytes, holes included: the destination's size. */
  readonly bytes: number;
  /** Bytes read and written (the data extents). */
  readonly dataBytes: number;
  /** Bytes that were holes in the source and were left as holes, neither read nor written. */
  readonly holeBytes: number;
  readonly seconds: number;
  /** dataBytes per second, in MiB: what the requests moved. */
  readonly mibPerSecond: number;
  readonly qd: number;
  readonly bs: number;
  /** The most cachemiss threads the copy could use (aio_init's aio_threads). */
  readonly threads: number;
  /**
   * Where requests that did not complete inline went: `'io_uring'` (the default engine: a ring
   * request from the calling thread, or a cachemiss thread for a call the ring does not take) or
   * `'threads'` (cachemiss threads only: io_uring refused, or SYSLET_AIO_ENGINE=threads).
   */
  readonly engine: 'io_uring' | 'threads';
  /** Reads plus writes (the fsync is not counted). */
  readonly requests: number;
  readonly reads: number;
  readonly writes: number;
  readonly inline: number;
  readonly cachemiss: number;
  /** inline / requests, 0..1. */
  readonly inlineShare: number;
  readonly cachemissShare: number;
  /** Per request, in nanoseconds (rounded); null when there were no requests. */
  readonly latencyNs: { readonly p50: number; readonly p90: number; readonly p99: number; readonly max: number; readonly mean: number } | null;
  /** True when --verify compared the files and found them identical; null when not asked. */
  readonly verified: boolean | null;
  /** Seconds the final aio_fsync took; null without --fsync. */
  readonly fsyncSeconds: number | null;
  /** True when the source was the built-in sample (both files are gone by the time this prints). */
  readonly sample: boolean;
}

/** summarize - the counters of one copy as the document `--json` prints. */
export function summarize(
  counters: CopyCounters,
  job: { src: string; dst: string; qd: number; bs: number; threads: number; engine: 'io_uring' | 'threads'; verified: boolean | null; fsync: boolean; sample: boolean },
): CopySummary {
  const requests = counters.reads + counters.writes;
  const { latency } = counters;
  const round = (ns: number): number => Math.round(ns);
  return {
    src: job.src,
    dst: job.dst,
    bytes: counters.bytes + counters.holeBytes,
    dataBytes: counters.bytes,
    holeBytes: counters.holeBytes,
    seconds: counters.seconds,
    mibPerSecond: counters.seconds > 0 ? counters.bytes / MIB / counters.seconds : 0,
    qd: job.qd,
    bs: job.bs,
    threads: job.threads,
    engine: job.engine,
    requests,
    reads: counters.reads,
    writes: counters.writes,
    inline: counters.inline,
    cachemiss: counters.cachemiss,
    inlineShare: requests > 0 ? counters.inline / requests : 0,
    cachemissShare: requests > 0 ? counters.cachemiss / requests : 0,
    latencyNs:
      latency.count === 0
        ? null
        : { p50: round(latency.percentile(50)), p90: round(latency.percentile(90)), p99: round(latency.percentile(99)), max: round(latency.max), mean: round(latency.mean) },
    verified: job.verified,
    fsyncSeconds: job.fsync ? counters.fsyncSeconds : null,
    sample: job.sample,
  };
}

/** renderSummary - the summary for people: a few aligned lines. */
export function renderSummary(summary: CopySummary): string {
  const percent = (share: number): string => `${(share * 100).toFixed(1)}%`;
  const lines = [
    `copied ${formatBytes(summary.bytes)} (${summary.bytes} bytes) in ${summary.seconds.toFixed(3)} s: ${summary.mibPerSecond.toFixed(1)} MiB/s`,
    ...(summary.holeBytes > 0 ? [`  holes     ${formatBytes(summary.holeBytes)} (${summary.holeBytes} bytes) kept as holes: not read, not written`] : []),
    `  from      ${summary.src}`,
    `  to        ${summary.dst}`,
    `  requests  ${summary.requests} (${summary.reads} reads, ${summary.writes} writes), queue depth ${summary.qd}, block ${formatBytes(summary.bs)}, ${summary.threads} cachemiss thread${summary.threads === 1 ? '' : 's'}`,
    `  inline    ${percent(summary.inlineShare)} (${summary.inline}), ${summary.engine === 'io_uring' ? 'async through io_uring' : 'on cachemiss threads'} ${percent(summary.cachemissShare)} (${summary.cachemiss})`,
  ];
  const latency = summary.latencyNs;
  if (latency !== null) {
    lines.push(`  latency   p50 ${formatNs(latency.p50)}, p90 ${formatNs(latency.p90)}, p99 ${formatNs(latency.p99)}, max ${formatNs(latency.max)} per request`);
  }
  if (summary.fsyncSeconds !== null) lines.push(`  fsync     ${summary.fsyncSeconds.toFixed(3)} s (included above)`);
  if (summary.verified !== null) lines.push(`  verify    ${summary.verified ? 'identical' : 'DIFFERENT'}`);
  return `${lines.join('\n')}\n`;
}
