/** Order statistics for benchmark samples. Pure functions; nothing here touches I/O. */

/**
 * median - the middle value (mean of the two middle values for an even count).
 *
 * @param values - samples; not modified.
 * @returns the median, or NaN for no samples.
 * @example median([3, 1, 2]) === 2
 */
export function median(values: ArrayLike<number>): number {
  return percentile(values, 50);
}

/**
 * percentile - the p-th percentile by linear interpolation between closest ranks.
 *
 * @param values - samples; not modified (a sorted copy is made, outside any measured loop).
 * @param p - 0..100.
 * @returns the percentile, or NaN for no samples.
 * @throws RangeError when p is outside 0..100.
 * @example percentile([1, 2, 3, 4], 50) === 2.5
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (!(p >= 0 && p <= 100)) throw new RangeError(`percentile must be within 0..100, got ${p}`);
  if (values.length === 0) return NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return (sorted[lo] as number) + ((sorted[hi] as number) - (sorted[lo] as number)) * (rank - lo);
}

/**
 * formatNs - a duration for a table cell: ns below 10 µs, else µs or ms, three significant digits.
 *
 * @example formatNs(2345) === '2.35 µs'
 */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return '–';
  if (ns < 1000) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1000).toPrecision(3)} µs`;
  return `${(ns / 1e6).toPrecision(3)} ms`;
}

/**
 * formatBytes - a size for a table cell in KiB/MiB with one decimal.
 *
 * @example formatBytes(3 * 1048576) === '3.0 MiB'
 */
export function formatBytes(bytes: number): string {
  const sign = bytes < 0 ? '-' : '';
  const b = Math.abs(bytes);
  if (b < 1024) return `${sign}${b.toFixed(0)} B`;
  if (b < 1048576) return `${sign}${(b / 1024).toFixed(1)} KiB`;
  return `${sign}${(b / 1048576).toFixed(1)} MiB`;
}
