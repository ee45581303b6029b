/**
 * `npm run bench`: one command, one run, every contender on the same files and workloads,
 * alternated over several rounds, medians and ratios printed as a table (issue #7).
 *
 * usage: node --import tsx bench/main.ts [--quick] [--json] [--only P1,P4] [--rounds N] [--dir PATH] [--verbose]
 *   --quick     a short run (fewer ops and rounds; the smoke test in `npm test` uses it)
 *   --json      print the results as JSON on stdout (the table goes to stderr)
 *   --only      run only these workloads (P1..P6)
 *   --rounds N  rounds per workload instead of each workload's default
 *   --dir PATH  create the data set under PATH instead of the OS temp dir
 *   --verbose   log every measured run to stderr
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { allContenders } from './contenders/index.js';
import { canDropCaches, createDataset, permutation, removeDataset } from './dataset.js';
import { describeMachine } from './machine.js';
import { finish, formatMachine, formatSummary, formatWorkload } from './report.js';
import type { WorkloadResult } from './result.js';
import type { RunContext } from './workloads/context.js';
import { runP1 } from './workloads/p1-cached-read.js';
import { runP2 } from './workloads/p2-uncached-read.js';
import { runP3 } from './workloads/p3-latency.js';
import { runP4 } from './workloads/p4-chain.js';
import { runP5 } from './workloads/p5-cached-write.js';
import { runP6 } from './workloads/p6-memory.js';

/** Every workload, by id, in the order they run. */
export const WORKLOADS: Readonly<Record<string, (ctx: RunContext) => Promise<WorkloadResult>>> = {
  P1: runP1,
  P2: runP2,
  P3: runP3,
  P4: runP4,
  P5: runP5,
  P6: runP6,
};

/** The parsed command line. */
export interface BenchOptions {
  readonly quick: boolean;
  readonly json: boolean;
  readonly only: readonly string[];
  readonly rounds: number | undefined;
  readonly dir: string | undefined;
  readonly verbose: boolean;
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
    },
    strict: true,
  });
  const only = values.only === undefined ? Object.keys(WORKLOADS) : values.only.split(',').map((s) => s.trim().toUpperCase()).filter(Boolean);
  for (const id of only) if (!(id in WORKLOADS)) throw new Error(`unknown workload ${id} (have ${Object.keys(WORKLOADS).join(', ')})`);
  const rounds = values.rounds === undefined ? undefined : Number(values.rounds);
  if (rounds !== undefined && !(Number.isSafeInteger(rounds) && rounds > 0)) throw new Error(`--rounds must be a positive integer, got ${values.rounds}`);
  return { quick: values.quick, json: values.json, only, rounds, dir: values.dir, verbose: values.verbose };
}

async function main(): Promise<void> {
  const opts = parseBenchArgs(process.argv.slice(2));
  const out = opts.json ? (s: string) => process.stderr.write(`${s}\n`) : (s: string) => process.stdout.write(`${s}\n`);
  const progress = (s: string): void => void process.stderr.write(`${s}\n`);
  const started = performance.now();
  const uncachedSkip = opts.only.includes('P2') ? canDropCaches() : 'not requested';
  const dataset = createDataset(opts.dir);
  const results: WorkloadResult[] = [];
  try {
    const machine = describeMachine(dataset.dir, uncachedSkip);
    out(`syslet-aio bench (${opts.quick ? 'quick' : 'full'} run, ${new Date().toISOString()})`);
    out(formatMachine(machine));
    const ctx: RunContext = {
      quick: opts.quick,
      rounds: opts.rounds,
      dataset,
      contenders: await allContenders(),
      perm: permutation(dataset.blocks),
      uncachedSkip,
      log: opts.verbose ? progress : () => {},
    };
    for (const id of opts.only) {
      progress(`running ${id}...`);
      const result = finish(await (WORKLOADS[id] as (c: RunContext) => Promise<WorkloadResult>)(ctx));
      results.push(result);
      out('');
      out(formatWorkload(result));
    }
    const seconds = (performance.now() - started) / 1000;
    out('');
    out(formatSummary(results));
    out(`total ${seconds.toFixed(1)} s`);
    if (opts.json) process.stdout.write(`${JSON.stringify({ mode: opts.quick ? 'quick' : 'full', date: new Date().toISOString(), seconds, machine, workloads: results }, null, 2)}\n`);
  } finally {
    removeDataset(dataset);
  }
}

// Run only as the entry point, so tests can import parseBenchArgs without starting a run.
if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      process.stderr.write(`bench failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
      process.exit(1);
    },
  );
}
