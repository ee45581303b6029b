/**
 * `npm run bench:fs`: the common jobs of a server, each done with node:fs/promises and with
 * syslet-aio/fs in the same run, on the same files, through the public API with its defaults
 * (issue 18). Rounds alternate the two implementations; the table gives each one's median time
 * and the ratio (node's time / syslet's time: above 1 means syslet-aio/fs is faster).
 *
 * usage: see FS_USAGE below (`--help` prints it).
 *
 * Each row gives the medians and the spread: the lowest and highest of the per-round ratios (a
 * round runs both implementations back to back, so its ratio is the fairest single comparison
 * on a machine whose load moves).
 *
 * Cold rows drop the page cache before each timed run (`sync; echo 1 > /proc/sys/vm/drop_caches`,
 * root only); without root they are reported as skipped rather than measured warm.
 */
import { rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as sysletFs from '../fs.js';
import { canDropCaches } from './dataset.js';
import { createFiles, writeParent } from './fs-files.js';
import { largeJobs } from './fs-jobs-large.js';
import { smallFileJobs, smallWriteJobs } from './fs-jobs-small.js';
import type { Files, FsApi, Job, Sizes } from './fs-jobs-types.js';

/** The two implementations, in the order each round runs them (alternated per round). */
const IMPLEMENTATIONS: readonly { readonly name: 'node' | 'syslet'; readonly fs: FsApi }[] = [
  { name: 'node', fs: nodeFs },
  { name: 'syslet', fs: sysletFs },
];

const FULL: Sizes = { smallFiles: 10_000, writeFiles: 1_000, bigFileBytes: 64 << 20, reads: 20_000, largeWrites: 2_000, largeWriteFiles: 200 };
const QUICK: Sizes = { smallFiles: 500, writeFiles: 100, bigFileBytes: 8 << 20, reads: 1_000, largeWrites: 100, largeWriteFiles: 10 };

/** A row of the table. */
export interface FsBenchRow {
  readonly job: string;
  readonly nodeMs: number | null;
  readonly sysletMs: number | null;
  /** nodeMs / sysletMs (above 1: syslet-aio/fs is faster). */
  readonly ratio: number | null;
  /** The lowest and highest ratio of a single round (node's time / syslet's time in that round). */
  readonly ratioMin?: number;
  readonly ratioMax?: number;
  /** Rounds measured. */
  readonly rounds?: number;
  /**
   * Median CPU time of a run (ms, user + system of the whole process: libuv's pool threads and
   * the engine's cachemiss threads included), per implementation.
   */
  readonly nodeCpuMs?: number;
  readonly sysletCpuMs?: number;
  /**
   * Each round's time (ms), in round order, per implementation (JSON only): which rounds a row
   * loses — the first ones, while the JIT still compiles (docs/fs.md, sessions 15 and 18), or any.
   */
  readonly nodeRoundsMs?: readonly number[];
  readonly sysletRoundsMs?: readonly number[];
  readonly skipped?: string;
}

/** The jobs of issue 18 and the large writes, on `files`, in the table's order. */
function jobs(files: Files, sizes: Sizes, coldSkip: string | undefined): Job[] {
  return [...smallFileJobs(files, sizes, coldSkip), ...largeJobs(files, sizes), ...smallWriteJobs(files, sizes)];
}

/** A time rounded to 0.1 ms (the table's precision). */
function tenth(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/** measure - run `job` `rounds` times per implementation, alternating which goes first. */
async function measure(job: Job, rounds: number): Promise<FsBenchRow> {
  if (job.skip !== undefined) return { job: job.name, nodeMs: null, sysletMs: null, ratio: null, skipped: job.skip };
  const times: Record<'node' | 'syslet', number[]> = { node: [], syslet: [] };
  const cpu: Record<'node' | 'syslet', number[]> = { node: [], syslet: [] };
  // Untimed runs each (one unless the job asks for more): module loading, the shared engine's
  // first chain, JIT.
  for (let warm = 0; warm < (job.warmRuns ?? 1); warm++) {
    for (const { name, fs } of IMPLEMENTATIONS) {
      await job.before();
      await job.run(fs, name);
    }
  }
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? IMPLEMENTATIONS : [...IMPLEMENTATIONS].reverse();
    for (const { name, fs } of order) {
      await job.before();
      const startCpu = process.cpuUsage();
      const start = performance.now();
      const child = await job.run(fs, name);
      times[name].push(performance.now() - start);
      const used = process.cpuUsage(startCpu);
      cpu[name].push(child === undefined ? (used.user + used.system) / 1000 : child.cpuMs);
    }
  }
  const nodeMs = median(times.node);
  const sysletMs = median(times.syslet);
  const ratios = times.node.map((node, round) => node / (times.syslet[round] as number));
  return {
    job: job.name, nodeMs, sysletMs, ratio: nodeMs / sysletMs, ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios), rounds,
    nodeCpuMs: median(cpu.node), sysletCpuMs: median(cpu.syslet),
    nodeRoundsMs: times.node.map(tenth), sysletRoundsMs: times.syslet.map(tenth),
  };
}

/** formatFsTable - the rows as a Markdown table (the one docs/fs.md shows). */
export function formatFsTable(rows: readonly FsBenchRow[]): string {
  const ms = (value: number | null): string => (value === null ? '—' : value.toFixed(1));
  const lines = [
    '| job | node:fs/promises (ms) | syslet-aio/fs (ms) | ratio (node / syslet) | per-round ratios | CPU ms, node / syslet |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const ratio = row.ratio === null ? `skipped: ${row.skipped ?? ''}` : `${row.ratio.toFixed(2)}×`;
    const spread = row.ratioMin === undefined || row.ratioMax === undefined ? '—' : `${row.ratioMin.toFixed(2)}–${row.ratioMax.toFixed(2)}×`;
    const cpu = row.nodeCpuMs === undefined || row.sysletCpuMs === undefined ? '—' : `${row.nodeCpuMs.toFixed(1)} / ${row.sysletCpuMs.toFixed(1)}`;
    lines.push(`| ${row.job} | ${ms(row.nodeMs)} | ${ms(row.sysletMs)} | ${ratio} | ${spread} | ${cpu} |`);
  }
  return lines.join('\n');
}

/**
 * runFsBench - create the files, measure every job, remove the files.
 *
 * @param options - quick: a smoke run; rounds: rounds per job; dir: parent of the files (and of
 *   the written ones, unless writeDir); writeDir: parent of the writeFile job's files (default:
 *   dir when given, else {@link writeParent}).
 * @returns the rows, in the order of the table.
 */
export async function runFsBench(options: { quick?: boolean; rounds?: number; dir?: string; writeDir?: string; only?: readonly string[] } = {}): Promise<FsBenchRow[]> {
  const sizes = options.quick === true ? QUICK : FULL;
  const rounds = options.rounds ?? (options.quick === true ? 1 : 5);
  const parent = options.dir ?? os.tmpdir();
  const files = createFiles(parent, options.writeDir ?? options.dir ?? writeParent(), sizes);
  try {
    const rows: FsBenchRow[] = [];
    const only = options.only ?? [];
    for (const job of jobs(files, sizes, canDropCaches())) {
      if (only.length === 0 || only.some((text) => job.name.includes(text))) rows.push(await measure(job, rounds));
    }
    return rows;
  } finally {
    rmSync(files.dir, { recursive: true, force: true });
    rmSync(files.writeRoot, { recursive: true, force: true });
  }
}

/** What `--help` prints, and what a bad command line is answered with. */
export const FS_USAGE = `usage: npm run bench:fs -- [--quick] [--json] [--rounds N] [--dir PATH] [--write-dir PATH] [--only TEXT]...
  (builds, then runs dist/bench/fs-jobs.js)
  --quick          fewer files and rounds (a smoke run)
  --json           print the rows as JSON on stdout (the table goes to stderr), each round's times included
  --rounds N       rounds per job (default 5, --quick 1)
  --dir PATH       create the files under PATH instead of the OS temp dir (and write there too,
                   unless --write-dir says otherwise)
  --write-dir PATH the write jobs' files go under PATH (default: /var/tmp)
  --only TEXT      run only the jobs whose name contains TEXT (repeatable)
  --help           print this and exit`;

/** The command line, or the reason it is refused. */
function parseFsArgs(argv: readonly string[]) {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false }, json: { type: 'boolean', default: false }, rounds: { type: 'string' },
      dir: { type: 'string' }, 'write-dir': { type: 'string' }, only: { type: 'string', multiple: true },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isInteger(rounds) && rounds > 0)) throw new Error(`--rounds needs a positive integer, got ${values.rounds}`);
  return { values, rounds };
}

async function main(argv: readonly string[]): Promise<void> {
  let parsed: ReturnType<typeof parseFsArgs>;
  try {
    parsed = parseFsArgs(argv);
  } catch (e) {
    // A bad command line is the user's to fix: the reason and the usage, no stack trace.
    process.stderr.write(`bench:fs: ${e instanceof Error ? e.message : String(e)}\n${FS_USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  const { values, rounds } = parsed;
  if (values.help) {
    process.stdout.write(`${FS_USAGE}\n`);
    return;
  }
  const loadBefore = os.loadavg()[0] ?? 0;
  const writeDir = values['write-dir'] ?? values.dir ?? writeParent();
  const rows = await runFsBench({
    quick: values.quick, ...(rounds === undefined ? {} : { rounds }), ...(values.dir === undefined ? {} : { dir: values.dir }), writeDir,
    ...(values.only === undefined ? {} : { only: values.only }),
  });
  const loadAfter = os.loadavg()[0] ?? 0;
  const where = `files under ${values.dir ?? os.tmpdir()}, writes under ${writeDir}`;
  // Which engine the rows ran on (SYSLET_AIO_ENGINE=threads in the environment picks the threads one).
  const engine = sysletFs.sharedEngine().asyncEngine.kind;
  const table = `syslet-aio/fs (${engine} engine) against node:fs/promises (Node ${process.version}, ${os.cpus().length} CPUs, load ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after, ${rows[0]?.rounds ?? 0} rounds, ${where})\n\n${formatFsTable(rows)}\n`;
  if (values.json) {
    process.stderr.write(table);
    process.stdout.write(`${JSON.stringify(rows, null, 2)}\n`);
  } else {
    process.stdout.write(table);
  }
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
