/**
 * Turning rows into verdicts and text: speed-up ratios against each workload's baselines, target
 * checks (met / missed / n/a), and the plain-text table `npm run bench` prints.
 */
import type { Machine } from './machine.js';
import type { Row, Target, WorkloadResult } from './result.js';
import { formatBytes, formatNs } from './stats.js';

/**
 * finish - fill every row's `ratios` and every target's verdict, in place.
 *
 * @param w - a workload result straight from its runner.
 * @returns the same object.
 */
export function finish(w: WorkloadResult): WorkloadResult {
  const byName = new Map(w.rows.map((r) => [r.name, r]));
  for (const row of w.rows) {
    if (row.median === undefined) continue;
    for (const b of w.baselines) {
      const base = byName.get(b)?.median;
      if (base !== undefined) row.ratios[b] = base / row.median;
    }
  }
  for (const t of w.targets) judge(t, byName, w.skipped);
  return w;
}

function metricOf(row: Row, metric: string | undefined): number | undefined {
  if (metric === undefined || metric === 'p50') return row.median;
  if (metric === 'p99') return row.p99;
  return row.extra?.[metric];
}

function judge(t: Target, rows: Map<string, Row>, skipped: string | undefined): void {
  const subject = rows.get(t.subject);
  if (skipped !== undefined) return na(t, skipped);
  if (!subject || subject.status !== 'ok') return na(t, subject ? `${subject.status}: ${subject.reason ?? ''}` : 'no such row');
  if (t.kind === 'speedup') {
    const baseline = t.baseline === undefined ? undefined : rows.get(t.baseline);
    const figure = (row: Row | undefined): number | undefined => (t.metric === 'cpu' ? row?.cpu : row?.median);
    const base = figure(baseline);
    const mine = figure(subject);
    if (base === undefined || mine === undefined) return na(t, `${t.baseline ?? '?'} or the subject has no ${t.metric ?? 'figure'}`);
    const got = base / mine;
    t.got = got;
    if (t.metric !== 'cpu' && baseline?.cpu !== undefined && subject.cpu !== undefined) t.cpuGot = baseline.cpu / subject.cpu;
    t.status = got >= t.want ? 'met' : 'missed';
    t.needed = base / t.want;
    const floor = figure(t.floor === undefined ? undefined : rows.get(t.floor));
    if (floor !== undefined && t.needed < floor) {
      t.why = `needs ≤ ${formatNs(t.needed)}, below the ${t.floorLabel ?? 'one-thread floor'} (${t.floor ?? ''} ${formatNs(floor)})`;
    }
  } else {
    const got = metricOf(subject, t.metric);
    if (got === undefined) return na(t, `no ${t.metric ?? 'figure'}`);
    t.got = got;
    t.status = got <= t.want ? 'met' : 'missed';
  }
}

function na(t: Target, why: string): void {
  t.status = 'n/a';
  t.why = why;
}

/** formatMachine - the machine report's lines. */
export function formatMachine(m: Machine): string {
  return [
    `machine: ${m.cpus} × ${m.cpuModel}, ${formatBytes(m.memoryBytes)} RAM, Linux ${m.kernel}`,
    `runtime: node ${m.node}${m.loader ? ' --import tsx' : ''}, glibc ${m.glibc}, koffi ${m.koffi}, syslet-aio ${m.commit}`,
    `load:    ${m.loadAverage.map((l) => l.toFixed(2)).join(' ')} (1, 5, 15 min) at the start; other processes share the CPUs`,
    `data:    ${m.dataDir} (${m.fsType}), root: ${m.root ? 'yes' : 'no'}, uncached runs: ${m.uncached}`,
  ].join('\n');
}

function cell(w: WorkloadResult, row: Row): string {
  if (row.median === undefined) return '–';
  if (w.unit === '%') return `${row.median.toFixed(2)} %`;
  return formatNs(row.median);
}

function pad(s: string, n: number, right = false): string {
  return right ? s.padStart(n) : s.padEnd(n);
}

/**
 * formatWorkload - one workload as a text table: figure, spread over rounds, a ratio column per
 * baseline (speed-up: baseline ÷ row, >1 is faster), then its targets.
 */
export function formatWorkload(w: WorkloadResult): string {
  const lines = [`${w.id}  ${w.title}`, `    ${w.detail}`];
  if (w.skipped !== undefined) {
    lines.push(`    ${w.skipped}`);
    return lines.join('\n');
  }
  const header = ['contender', w.unit === '%' ? 'RSS growth' : w.unit === 'ns' ? 'p50' : w.unit, w.unit === 'ns' ? 'p99' : w.unit === '%' ? 'RSS N1→N2' : 'min–max', w.unit === 'ns/file' ? 'CPU/file' : 'CPU/op'];
  const extraHeader = w.unit === '%' ? ['native N1→N2', 'heap growth'] : w.baselines.map((b) => `vs ${b}`);
  const table: string[][] = [[...header, ...extraHeader]];
  for (const row of w.rows) {
    if (row.status !== 'ok') {
      table.push([row.name, row.status === 'unavailable' ? `not available: ${row.reason ?? ''}` : `error: ${row.reason ?? ''}`]);
      continue;
    }
    const second =
      w.unit === 'ns'
        ? formatNs(row.p99 ?? NaN)
        : w.unit === '%'
          ? `${formatBytes(row.extra?.rssAtN1 ?? NaN)} → ${formatBytes(row.extra?.rssAtN2 ?? NaN)}`
          : `${formatNs(row.min ?? NaN)}–${formatNs(row.max ?? NaN)}`;
    const rest =
      w.unit === '%'
        ? [`${formatBytes(row.extra?.nativeAtN1 ?? NaN)} → ${formatBytes(row.extra?.nativeAtN2 ?? NaN)}`, formatBytes(row.extra?.heapGrowthBytes ?? NaN)]
        : w.baselines.map((b) => (row.ratios[b] === undefined ? '–' : `${row.ratios[b].toFixed(2)}x`));
    table.push([row.name, cell(w, row), second, formatNs(row.cpu ?? NaN), ...rest]);
  }
  const widths = (table[0] as string[]).map((_, c) => Math.max(...table.filter((r) => r.length > 2).map((r) => (r[c] ?? '').length)));
  for (const [k, r] of table.entries()) {
    if (r.length === 2) lines.push(`    ${pad(r[0] as string, widths[0] as number)}  ${r[1] as string}`);
    else lines.push(`    ${r.map((v, c) => pad(v, widths[c] as number, c > 0)).join('  ')}`);
    if (k === 0) lines.push(`    ${widths.map((n) => '-'.repeat(n)).join('  ')}`);
  }
  for (const t of w.targets) {
    const cpu = t.cpuGot === undefined ? '' : `; on CPU time ${t.cpuGot.toFixed(2)}x`;
    const got = t.got === undefined ? '' : t.kind === 'speedup' ? ` (got ${t.got.toFixed(2)}x${cpu})` : ` (got ${formatTargetValue(t)})`;
    lines.push(`    target ${pad(t.status ?? 'n/a', 6)} ${t.text}${got}${t.why ? ` — ${t.why}` : ''}`);
  }
  return lines.join('\n');
}

function formatTargetValue(t: Target): string {
  const v = t.got as number;
  if (t.metric === 'nativeGrowthBytes') return formatBytes(v);
  if (t.metric === 'p50' || t.metric === 'p99') return formatNs(v);
  return `${v.toFixed(2)} %`;
}

/** formatSummary - every target of the run in one list, for the end of the output. */
export function formatSummary(results: readonly WorkloadResult[]): string {
  const targets = results.flatMap((w) => w.targets);
  const count = (s: string): number => targets.filter((t) => t.status === s).length;
  const lines = [`targets: ${count('met')} met, ${count('missed')} missed, ${count('n/a')} n/a (of ${targets.length})`];
  for (const w of results) {
    for (const t of w.targets) {
      const cpu = t.cpuGot === undefined ? '' : `; CPU ${t.cpuGot.toFixed(2)}x`;
      lines.push(`  ${pad(t.status ?? 'n/a', 6)} ${t.text}${t.got === undefined ? '' : t.kind === 'speedup' ? ` (${t.got.toFixed(2)}x${cpu})` : ` (${formatTargetValue(t)})`}`);
    }
  }
  return lines.join('\n');
}
