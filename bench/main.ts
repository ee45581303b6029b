/**
 * `npm run bench`: one command, one run, every contender on the same files and workloads,
 * alternated over several rounds, medians, CPU per operation and ratios printed as a table, each
 * target met or missed (issues #7 and 16). Every contender runs in a process of its own: the
 * library's through the package root only, with its defaults, once per engine.
 *
 * usage: see USAGE below (`--help` prints it).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildAnchor, removeAnchor } from './anchor.js';
import { canDropCaches, createDataset, removeDataset } from './dataset.js';
import { startHosts, type HostedSet } from './hosts.js';
import { describeMachine } from './machine.js';
import { finish, formatMachine, formatSummary, formatWorkload } from './report.js';
import type { WorkloadResult } from './result.js';
import type { RunContext } from './workloads/context.js';
import { runP1 } from './workloads/p1-cached-read.js';
import { runP2Cold } from './workloads/p2-cold-start.js';
import { runP2 } from './workloads/p2-uncached-read.js';
import { runP3 } from './workloads/p3-latency.js';
import { runP4 } from './workloads/p4-chain.js';
import { runP5 } from './workloads/p5-cached-write.js';
import { runP6 } from './workloads/p6-memory.js';

/** Every workload, by id, in the order they run. */
export const WORKLOADS: Readonly<Record<string, (ctx: RunContext) => Promise<WorkloadResult>>> = {
  P1: runP1,
  P2: runP2,
  P2COLD: runP2Cold,
  P3: runP3,
  P4: runP4,
  P5: runP5,
  P6: runP6,
};

/** What `--help` prints, and what a bad command line is answered with. */
export const USAGE = `usage: node dist/bench/main.js [--quick] [--json] [--only P1,P4] [--rounds N] [--dir PATH] [--verbose]
  (\`npm run bench\` builds first; \`node --import tsx bench/main.ts\` runs the sources)
  --quick     every row, small: few ops, one round (the test in \`npm test\` uses it)
  --json      print the results as JSON on stdout (the table goes to stderr)
  --only      run only these workloads (P1, P2, P2COLD, P3, P4, P5, P6, FS)
  --rounds N  rounds per workload instead of each workload's default
  --dir PATH  create the data set under PATH instead of the OS temp dir
  --verbose   log every measured run to stderr
  --help      print this and exit`;

/** The last section: issue 18's `npm run bench:fs` jobs, run when bench/fs-jobs.ts exists. */
export const FS_SECTION = 'FS';

/** The parsed command line. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  readonly only: readonly string[];
  readonly rounds: number | undefined;
  readonly dir: string | undefined;
  readonly verbose: boolean;
  /** `--help`: print {@link USAGE} and run nothing. */
  readonly help: boolean;
}

/**
 * parseBenchArgs - parse the command line.
 *
 * @param argv - arguments after the script name.
 * @returns the options.
 * @throws Error for an unknown flag, an unknown workload id, or a non-positive --rounds.
 * @example parseBenchArgs(['--quick', '--only', 'P1,P4']).only // ['P1', 'P4']
 */
export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      only: { type: 'string' },
      rounds: { type: 'string' },
      dir: { type: 'string' },
      verbose: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
  });
  const known = [...Object.keys(WORKLOADS), FS_SECTION];
  const only = values.only === undefined ? known : values.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const id of only) if (!known.includes(id)) throw new Error(`unknown workload ${id} (have ${known.join(', ')})`);
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isSafeInteger(rounds) && rounds > 0)) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  return { quick: values.quick, json: values.json, only, rounds, dir: values.dir, verbose: values.verbose, help: values.help };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const extension = path.extname(fileURLToPath(import.meta.url));

/**
 * runFsJobs - issue 18's bench (bench/fs-jobs.ts, `npm run bench:fs`) as this run's last section,
 * in its own process, the same way this bench runs (built or under tsx).
 *
 * @returns its JSON rows in --json mode, else null (its table went to `out`); `undefined` when
 *   the file is not there.
 */
async function runFsJobs(opts: BenchOptions, out: (s: string) => void): Promise<unknown> {
  const file = path.join(here, `fs-jobs${extension}`);
  if (!fs.existsSync(file)) {
    out(`FS  syslet-aio/fs jobs: not available (no bench/fs-jobs${extension} in this build)`);
    return undefined;
  }
  const args = [...(extension === '.ts' ? ['--import', 'tsx'] : []), file, ...(opts.quick ? ['--quick'] : []), ...(opts.json ? ['--json'] : []), ...(opts.dir ? ['--dir', opts.dir] : [])];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let stdout = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    if (opts.json) stdout += chunk;
    else out(chunk.replace(/\n$/, ''));
  });
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`bench:fs exited with code ${code ?? 'signal'}`);
  return opts.json ? (JSON.parse(stdout) as unknown) : null;
}

async function main(): Promise<void> {
  let opts: BenchOptions;
  try {
    opts = parseBenchArgs(process.argv.slice(2));
  } catch (e) {
    // A bad command line is the user's to fix: the reason and the usage, no stack trace.
    process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n${USAGE}\n`);
    process.exitCode = 2;
    return;
  }
  if (opts.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const out = opts.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => process.stdout.write(`${s}\n`);
  const progress = (s: string): void => void process.stderr.write(`${s}\n`);
  const started = performance.now();
  const uncachedSkip = opts.only.some((id) => id.startsWith('P2')) ? canDropCaches() : 'not requested';
  const dataset = createDataset(opts.dir);
  const anchor = buildAnchor();
  const results: WorkloadResult[] = [];
  let sets: HostedSet[] = [];
  try {
    const machine = describeMachine(dataset.dir, uncachedSkip);
    out(`syslet-aio bench (${opts.quick ? 'quick' : 'full'} run, ${new Date().toISOString()})`);
    out(formatMachine(machine));
    sets = await startHosts();
    for (const s of sets.filter((x) => x.engine !== null)) {
      const how = s.host.options.engine === 'threads' ? 'SYSLET_AIO_ENGINE=threads' : 'the defaults';
      const detail = s.engine?.detail && s.engine.detail !== how ? `: ${s.engine.detail}` : '';
      out(`engine:  rows (${s.label}) ran with ${how}: ${s.engine?.kind ?? '?'}${detail}`);
    }
    out(`anchor:  io_uring C anchor ${anchor.binary ? 'built' : `not available: ${anchor.unavailable ?? ''}`}`);
    const ctx: RunContext = { quick: opts.quick, rounds: opts.rounds, dataset, sets, anchor, uncachedSkip, log: opts.verbose ? progress : () => {} };
    for (const id of opts.only) {
      const run = WORKLOADS[id];
      if (run === undefined) continue;
      progress(`running ${id}...`);
      const result = finish(await run(ctx));
      results.push(result);
      out('');
      out(formatWorkload(result));
    }
    for (const s of sets) await s.host.close();
    sets = [];
    let fsJobs: unknown;
    if (opts.only.includes(FS_SECTION)) {
      progress('running FS (npm run bench:fs)...');
      out('');
      fsJobs = await runFsJobs(opts, out);
    }
    const seconds = (performance.now() - started) / 1000;
    out('');
    out(formatSummary(results));
    out(`total ${seconds.toFixed(1)} s, load average at the end ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ mode: opts.quick ? 'quick' : 'full', date: new Date().toISOString(), seconds, machine, workloads: results, fsJobs }, null, 2)}\n`);
  } finally {
    for (const s of sets) await s.host.close();
    removeAnchor(anchor);
    removeDataset(dataset);
  }
}

// Run only as the entry point, so tests can import parseBenchArgs without starting a run.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(process.exitCode ?? 0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
