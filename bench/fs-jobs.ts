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
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import { once } from 'node:events';
import { accessSync, constants, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as sysletFs from '../fs.js';
import { canDropCaches, dropCaches, warmFile } from './dataset.js';

/** The functions a job uses: node:fs/promises's, or syslet-aio/fs's. */
type FsApi = Pick<typeof nodeFs, 'readFile' | 'writeFile' | 'stat' | 'open' | 'readlink' | 'realpath'>;

/** The two implementations, in the order each round runs them (alternated per round). */
const IMPLEMENTATIONS: readonly { readonly name: 'node' | 'syslet'; readonly fs: FsApi }[] = [
  { name: 'node', fs: nodeFs },
  { name: 'syslet', fs: sysletFs },
];

/** Sizes of the job's files. */
interface Sizes {
  readonly smallFiles: number;
  readonly writeFiles: number;
  readonly bigFileBytes: number;
  readonly reads: number;
}

const FULL: Sizes = { smallFiles: 10_000, writeFiles: 1_000, bigFileBytes: 64 << 20, reads: 20_000 };
const QUICK: Sizes = { smallFiles: 500, writeFiles: 100, bigFileBytes: 8 << 20, reads: 1_000 };
const QUEUE_DEPTH = 64;
const BLOCK = 4096;

/** One measured job. */
interface Job {
  readonly name: string;
  /** Why the job cannot run here (it is then shown as skipped), or undefined. */
  readonly skip?: string;
  /** Called before each timed run, untimed (drop or warm the cache, remove written files). */
  readonly before: () => void | Promise<void>;
  /**
   * One timed run with `fs` (implementation `name`). A run made in a child process returns the
   * child's CPU time (ms), which this process's cpuUsage cannot see.
   */
  readonly run: (fs: FsApi, name: 'node' | 'syslet') => Promise<void | { readonly cpuMs: number }>;
}

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

interface Files {
  readonly small: readonly string[];
  /** A JSON file listing {@link small}, for the jobs that run in a child process. */
  readonly smallList: string;
  /** One symbolic link per small file, next to it (`N.bin.lnk` → `N.bin`). */
  readonly links: readonly string[];
  readonly big: string;
  readonly writeDir: string;
}

/**
 * The directory the writeFile job creates its files under when no --dir or --write-dir is given:
 * /var/tmp, on disk on every distribution (the FHS's temporary files kept across reboots), where
 * /tmp is tmpfs on many (then the row would time a RAM file system) and, where it is on disk, the
 * one directory every process of the machine makes and deletes its scratch files in. On an ext4
 * without a journal (this project's CI machine: `/`), each create scans past every inode of its
 * group freed in the last 30 s (recently_deleted()), inside the directory's lock: with other
 * processes' test suites deleting in /tmp's group, a create there took 300–500 µs for both
 * implementations against 15–45 µs in /var/tmp, back to back (docs/fs.md, session 26), and the
 * row timed those deletions, not writeFile. The OS temp dir when /var/tmp is not writable.
 */
function writeParent(): string {
  try {
    accessSync('/var/tmp', constants.W_OK | constants.X_OK);
    return '/var/tmp';
  } catch {
    return os.tmpdir();
  }
}

/**
 * createFiles - the small files (1–8 KiB of random bytes) and the big file, under a new directory
 * of `parent`; the directory the writeFile job writes in, under a new directory of `writeParent`.
 */
function createFiles(parent: string, writeParentDir: string, sizes: Sizes): Files & { readonly dir: string; readonly writeRoot: string } {
  const dir = mkdtempSync(path.join(parent, 'syslet-fs-bench-'));
  const small: string[] = [];
  const links: string[] = [];
  // 100 files per folder, as a server's tree has them, rather than 10,000 in one directory.
  for (let i = 0; i < sizes.smallFiles; i++) {
    const folder = path.join(dir, 'small', String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${i}.bin`);
    writeFileSync(file, crypto.randomBytes(1024 + (i * 7919) % (7 * 1024)));
    small.push(file);
    symlinkSync(`${i}.bin`, `${file}.lnk`);
    links.push(`${file}.lnk`);
  }
  const big = path.join(dir, 'big.bin');
  const chunk = crypto.randomBytes(1 << 20);
  for (let written = 0; written < sizes.bigFileBytes; written += chunk.length) writeFileSync(big, chunk, { flag: written === 0 ? 'w' : 'a' });
  const writeRoot = writeParentDir === parent ? dir : mkdtempSync(path.join(writeParentDir, 'syslet-fs-bench-'));
  const writeDir = path.join(writeRoot, 'written');
  mkdirSync(writeDir);
  const smallList = path.join(dir, 'small.json');
  writeFileSync(smallList, JSON.stringify(small));
  return { dir, writeRoot, small, smallList, links, big, writeDir };
}

/** The jobs of issue 18, on `files`. */
function jobs(files: Files, sizes: Sizes, coldSkip: string | undefined): Job[] {
  const warmSmall = (): void => files.small.forEach(warmFile);
  let writeRuns = 0;
  let writeTarget = files.writeDir;
  const warmLinks = async (): Promise<void> => {
    warmSmall();
    await Promise.all(files.links.map((link) => nodeFs.lstat(link)));
  };
  const payload = crypto.randomBytes(4096);
  const positions = Array.from({ length: sizes.reads }, (_, i) => ((i * 2654435761) % Math.floor(sizes.bigFileBytes / BLOCK)) * BLOCK);
  const readAll = async (fs: FsApi): Promise<void> => {
    await Promise.all(files.small.map((file) => fs.readFile(file)));
  };
  return [
    { name: `readFile ${sizes.smallFiles} small files, cold`, ...(coldSkip === undefined ? {} : { skip: coldSkip }), before: dropCaches, run: readAll },
    { name: `readFile ${sizes.smallFiles} small files, warm`, before: warmSmall, run: readAll },
    {
      // What a short-lived program (a CLI, a script, a test run) sees: Node's start, the import,
      // the engine's first chains and the JIT's first compilations are all in the time.
      name: `fresh process: import, readFile ${sizes.smallFiles} small files, warm`,
      before: warmSmall,
      run: (_fs, name) => firstJobInAFreshProcess(name === 'node' ? 'node:fs/promises' : PACKAGE_FS, files.smallList),
    },
    {
      name: `stat ${sizes.smallFiles} paths, warm`,
      before: warmSmall,
      run: async (fs) => {
        await Promise.all(files.small.map((file) => fs.stat(file)));
      },
    },
    {
      name: `readlink ${sizes.smallFiles} links, warm`,
      before: warmLinks,
      run: async (fs) => {
        await Promise.all(files.links.map((link) => fs.readlink(link)));
      },
    },
    {
      name: `realpath ${sizes.smallFiles} links, warm`,
      before: warmLinks,
      run: async (fs) => {
        await Promise.all(files.links.map((link) => fs.realpath(link)));
      },
    },
    {
      name: `FileHandle.read 4 KiB at QD${QUEUE_DEPTH}, ${sizes.reads} reads, warm`,
      before: () => warmFile(files.big),
      run: async (fs) => {
        const handle = await fs.open(files.big, 'r');
        try {
          let next = 0;
          const lane = async (): Promise<void> => {
            const buffer = Buffer.alloc(BLOCK);
            while (next < positions.length) {
              const position = positions[next++] as number;
              const { bytesRead } = await handle.read(buffer, 0, BLOCK, position);
              if (bytesRead !== BLOCK) throw new Error(`short read at ${position}: ${bytesRead}`);
            }
          };
          await Promise.all(Array.from({ length: QUEUE_DEPTH }, lane));
        } finally {
          await handle.close();
        }
      },
    },
    {
      name: `writeFile ${sizes.writeFiles} small files (4 KiB)`,
      // Each run writes into a directory of its own and nothing is deleted until the bench ends:
      // removing the last run's 1,000 files right before made every create of the next run scan
      // past them (ext4's inode allocator skips inodes deleted in the last 30 s: perf showed
      // recently_deleted() and its buffer lookups in 45% of the samples, ~0.5 ms of kernel time
      // per create for both implementations), which measured ext4, not writeFile.
      before: () => {
        writeTarget = path.join(files.writeDir, String(writeRuns++));
        mkdirSync(writeTarget);
      },
      run: async (fs) => {
        const names = Array.from({ length: sizes.writeFiles }, (_, i) => path.join(writeTarget, `${i}.bin`));
        await Promise.all(names.map((name) => fs.writeFile(name, payload)));
      },
    },
  ];
}

/** syslet-aio/fs as a user imports it: the package's bundled entry point (dist/pkg/fs.js). */
const PACKAGE_FS = fileURLToPath(new URL('../pkg/fs.js', import.meta.url));

/** The child of {@link firstJobInAFreshProcess}: argv[1] the module, argv[2] the list of files. */
const FIRST_JOB = `
const fs = await import(process.argv[1]);
const files = JSON.parse(await (await import('node:fs/promises')).readFile(process.argv[2], 'utf8'));
await Promise.all(files.map((file) => fs.readFile(file)));
const used = process.cpuUsage();
process.stdout.write(JSON.stringify({ cpuMs: (used.user + used.system) / 1000 }));
`;

/**
 * firstJobInAFreshProcess - start a Node process that imports `module` (node:fs/promises or
 * syslet-aio/fs) and reads every file of `list` with its readFile, all at once, then exits.
 *
 * @returns the child's CPU time, its threads included.
 * @throws Error when the child fails.
 */
async function firstJobInAFreshProcess(module: string, list: string): Promise<{ readonly cpuMs: number }> {
  const child = spawn(process.execPath, ['--input-type=module', '-e', FIRST_JOB, module, list], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
  const [code] = (await once(child, 'exit')) as [number | null];
  if (code !== 0) throw new Error(`the fresh process for ${module} exited with ${String(code)}`);
  return JSON.parse(out) as { cpuMs: number };
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
  // One untimed run each: module loading, the shared engine's first chain, JIT.
  for (const { name, fs } of IMPLEMENTATIONS) {
    await job.before();
    await job.run(fs, name);
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
  --write-dir PATH the writeFile job's files go under PATH (default: /var/tmp)
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
  const where = `files under ${values.dir ?? os.tmpdir()}, writeFile under ${writeDir}`;
  const table = `syslet-aio/fs against node:fs/promises (Node ${process.version}, ${os.cpus().length} CPUs, load ${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after, ${rows[0]?.rounds ?? 0} rounds, ${where})\n\n${formatFsTable(rows)}\n`;
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
