/**
 * Sizes and durations as people type and read them: `128k`, `1m`, `64 MiB`, `1.2 s`. Binary
 * multiples throughout (k = 1024), as dd, fio and the kernel's own tools use for block sizes.
 */

const MULTIPLIERS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };
const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?$/i;

/** MiB, the unit every throughput figure of the CLI is in. */
export const MIB = 1024 * 1024;

/**
 * parseSize - read a byte count written as a number with an optional binary suffix.
 *
 * @param text - `4096`, `4k`, `128K`, `1m`, `1MiB`, `1.5g`, `64MB` (k/m/g/t are 1024-based, with
 *   or without a trailing `B`/`iB`).
 * @returns the number of bytes, or NaN when the text is not a size or is not a whole number of
 *   bytes (`1.1k`).
 * @example parseSize('128k') // → 131072
 */
export function parseSize(text: string): number {
  const match = SIZE.exec(text.trim());
  if (match === null) return NaN;
  const bytes = Number(match[1]) * (MULTIPLIERS[(match[2] ?? '').toLowerCase()] ?? NaN);
  return Number.isSafeInteger(bytes) ? bytes : NaN;
}

/**
 * formatBytes - a byte count for people: `512 B`, `4.0 KiB`, `64.0 MiB`, `1.25 GiB`.
 *
 * @param bytes - a non-negative count.
 * @returns the count in the largest binary unit that keeps it at 1 or more.
 */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value >= 100 ? 0 : value >= 10 ? 1 : 2)} ${units[unit] ?? ''}`;
}

/**
 * formatNs - a latency for people, in the unit that suits it: `850 ns`, `12.3 µs`, `4.56 ms`, `1.20 s`.
 *
 * @param ns - nanoseconds (NaN prints as `-`).
 */
export function formatNs(ns: number): string {
  if (Number.isNaN(ns)) return '-';
  if (ns < 1e3) return `${Math.round(ns)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(1)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(2)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

/**
 * formatEta - remaining seconds as `m:ss` (or `h:mm:ss`), `--:--` when unknown.
 *
 * @param seconds - the estimate; not finite or negative means unknown.
 */
export function formatEta(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '--:--';
  const total = Math.ceil(seconds);
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = String(total % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
