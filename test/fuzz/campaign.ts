/**
 * The fuzz campaigns, each in a child process of its own: a crash, an abort, a hang or a non-zero
 * exit is a reported finding with its seed, its last checkpoint (test/fuzz/checkpoint.ts, one
 * format for every driver) and the tail of its stdout and stderr, never a dead runner. A report
 * the child wrote is kept even when it failed.
 *
 * | campaign | driver | looks for |
 * |---|---|---|
 * | `race` | test/fuzz/race.ts | chains on different cachemiss threads changing each other's iovecs, socklens, msghdrs and paths (check-then-use) |
 * | `teardown` | test/fuzz/teardown.ts | free, unregister, ring swaps, thread kills, cancels, close and re-entrant callbacks while chains are in flight |
 * | `exit` | test/fuzz/teardown.ts --exit-case | process.exit(0) with chains in flight: the process must exit with 0 |
 * | `atoms` | test/fuzz/atoms.ts | random atoms: pointers, flags, numbers, policy |
 * | `aiocb` | test/fuzz/aiocb.ts | random POSIX aiocbs |
 * | `fdkinds` | test/fuzz/fd-kinds.ts | fd-taking atoms on every kind of fd, inline and async, against the same syscalls made directly |
 * | `fsapi` | test/fuzz/fs-api.ts | random syslet-aio/fs calls against node:fs/promises on a twin tree: outcomes field by field, the trees after |
 * | `plugins` | test/fuzz/plugins.ts | random valid plugin definitions run many times through plugin.run (canned plans made, reused, remade; cache dropped; runs in flight together) against a reference interpreter making the same syscalls on twin files; mutated built-in definitions refused with a PluginDefinitionError |
 *
 * Every area a campaign's chains write into has canary bytes on both sides, checked after every
 * case. One command runs them all for a time (`npm run fuzz -- --seconds 600`, shares below);
 * the CI test runs a fixed, small number of cases of the new ones.
 *
 * `node --import tsx test/fuzz/campaign.ts [--seconds 600] [--seed S] [--campaigns race,teardown,...] [--out summary.json]`
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { isCheckpointLine, lastCheckpoint } from './checkpoint.js';

/** The campaigns, and their share of a timed run. */
export const CAMPAIGNS = { race: 0.25, teardown: 0.2, exit: 0.1, atoms: 0.15, aiocb: 0.1, fdkinds: 0.1, fsapi: 0.1, plugins: 0.1 } as const;
/** A campaign's name. */
export type CampaignName = keyof typeof CAMPAIGNS;

/** How much of one campaign to run: a time, or a fixed number of cases. */
export interface CampaignPlan {
  readonly name: CampaignName;
  readonly seconds?: number;
  readonly cases?: number;
}

/** What one campaign did. */
export interface CampaignResult {
  readonly name: CampaignName;
  readonly seed: number;
  /** Its figures: cases, chains, atoms, canary checks and the campaign's own. */
  readonly figures: Record<string, number>;
  readonly findings: string[];
  /** The command that replays it. */
  readonly replay: string;
  readonly elapsedMs: number;
}

const HERE = import.meta.dirname;
const DRIVERS: Record<Exclude<CampaignName, 'exit'>, string> = {
  race: join(HERE, 'race.ts'),
  teardown: join(HERE, 'teardown.ts'),
  atoms: join(HERE, 'atoms.ts'),
  aiocb: join(HERE, 'aiocb.ts'),
  fdkinds: join(HERE, 'fd-kinds.ts'),
  fsapi: join(HERE, 'fs-api.ts'),
  plugins: join(HERE, 'plugins.ts'),
};
/** A fixed count's flag, per driver. */
const COUNT_FLAG: Record<Exclude<CampaignName, 'exit'>, string> = { race: '--cases', teardown: '--cases', atoms: '--iterations', aiocb: '--batches', fdkinds: '--cases', fsapi: '--cases', plugins: '--cases' };
/** With a fixed count, no time limit: only the child's own limit, which catches a hang. */
const NO_LIMIT = '100000';

/** How many lines of a failing child's stdout and stderr a finding keeps. */
const TAIL_LINES = 20;

/** The last `lines` lines of a child's output, checkpoints left out, joined with ' | '. */
function tailOf(output: string | null | undefined, lines = TAIL_LINES): string {
  const kept = (output ?? '').split('\n').filter((line) => line.trim() !== '' && !isCheckpointLine(line));
  return kept.length === 0 ? '(empty)' : kept.slice(-lines).join(' | ');
}

/**
 * failureOf - the finding for a child that did not end cleanly, or null when it did.
 *
 * A child ended cleanly when it exited with 0 and wrote its report. Anything else (a signal, a
 * non-zero status, the time limit, no report) is a finding that names the seed, the last
 * checkpoint it wrote and the tail of its stdout and stderr, so that it can be replayed from there
 * and read without running it again.
 */
export function failureOf(
  name: CampaignName, seed: number,
  child: { status: number | null; signal: NodeJS.Signals | null; error?: Error; stdout: string | null; stderr: string | null },
  hasReport: boolean,
): string | null {
  if (child.status === 0 && child.signal === null && child.error === undefined && hasReport) return null;
  const how = [
    child.error !== undefined ? child.error.message : null,
    `status ${String(child.status)}`,
    `signal ${String(child.signal)}`,
    hasReport ? 'report written' : 'no report',
  ].filter((part) => part !== null).join(', ');
  const checkpoint = lastCheckpoint(child.stderr ?? '');
  return `${name} (seed ${seed}) failed: ${how}; last checkpoint ${checkpoint === null ? 'none' : checkpoint}; stdout: ${tailOf(child.stdout)}; stderr: ${tailOf(child.stderr)}`;
}

function runDriver(plan: CampaignPlan, seed: number): CampaignResult {
  const name = plan.name as Exclude<CampaignName, 'exit'>;
  const dir = mkdtempSync(join(tmpdir(), `syslet-fuzz-${name}-`));
  const out = join(dir, 'report.json');
  const size = plan.cases !== undefined ? [COUNT_FLAG[name], String(plan.cases), '--seconds', NO_LIMIT] : ['--seconds', String(plan.seconds ?? 4)];
  const args = [DRIVERS[name], '--seed', String(seed), ...size];
  const started = performance.now();
  const limitMs = ((plan.seconds ?? 0) + 600) * 1000;
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', ...args, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: limitMs, maxBuffer: 256 << 20 });
    const replay = `node --import tsx ${args.map((arg) => (arg.includes(' ') ? JSON.stringify(arg) : arg)).join(' ')} </dev/null`;
    let report: Record<string, unknown> | null = null;
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as Record<string, unknown>;
    } catch {
      report = null;
    }
    const elapsedMs = Math.round(performance.now() - started);
    // A report is kept even when its child failed (the aiocb driver exits 1 when it has violations):
    // its figures and violations are the finding's substance.
    const findings = [...((report?.violations as string[] | undefined) ?? [])];
    const failure = failureOf(name, seed, child, report !== null);
    if (failure !== null) findings.push(failure);
    return { name, seed, figures: report === null ? {} : figuresOf(name, report), findings, replay, elapsedMs };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The comparable figures of a driver's report. */
function figuresOf(name: Exclude<CampaignName, 'exit'>, report: Record<string, unknown>): Record<string, number> {
  const n = (key: string): number => Number(report[key] ?? 0);
  switch (name) {
    case 'race':
      return { cases: n('cases'), chains: n('chains'), atoms: n('atoms'), canaryChecks: n('canaryChecks'), victimCalls: n('victimCalls'), refusedByTheCheck: n('refused') };
    case 'teardown':
      return { cases: n('cases'), chains: n('chains'), atoms: n('atoms'), canaryChecks: n('canaryChecks'), completions: n('completions'), actions: Object.values((report.actions as Record<string, number> | undefined) ?? {}).reduce((a, b) => a + b, 0) };
    case 'atoms': {
      // Every chain is followed by a check of the window's two canaries and the two unregistered Buffers.
      const chains = report.chains as { inline: number; cachemiss: number } | undefined;
      return { cases: n('iterations'), chains: (chains?.inline ?? 0) + (chains?.cachemiss ?? 0), atoms: n('atomsExecuted'), canaryChecks: n('iterations') * 4 };
    }
    case 'fdkinds':
      return { cases: n('cases'), chains: n('chains'), atoms: n('ops'), canaryChecks: 0 };
    case 'fsapi':
      // No chains of its own to count: calls (each made on both sides) and tree comparisons.
      return { cases: n('cases'), chains: 0, atoms: n('ops'), canaryChecks: 0, treeChecks: n('treeChecks') };
    case 'plugins':
      // A chain per run; atoms: those the runs executed (each compared with the reference's).
      return { cases: n('cases'), chains: n('runs'), atoms: n('atomsExecuted'), canaryChecks: 0, plugins: n('plugins'), compositions: n('compositions'), atomsCompared: n('atomsCompared'), mutations: n('mutations'), concurrentRuns: n('concurrentRuns'), cacheDrops: n('cacheDrops'), memToggles: n('memToggles'), unpredictable: n('unpredictable') };
    default:
      return { cases: n('batches'), chains: n('accepted'), atoms: n('operations'), canaryChecks: n('canaryChecks') };
  }
}

/** The exit campaign: one child per case, each ending with process.exit(0) while chains are in flight. */
function runExit(plan: CampaignPlan, seed: number): CampaignResult {
  const started = performance.now();
  const deadline = started + (plan.seconds ?? 0) * 1000;
  const findings: string[] = [];
  let cases = 0;
  let inflight = 0;
  for (let index = 0; plan.cases !== undefined ? index < plan.cases : performance.now() < deadline; index++) {
    const child = spawnSync(process.execPath, ['--import', 'tsx', DRIVERS.teardown, '--exit-case', '--seed', String(seed), '--index', String(index)], { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
    cases++;
    inflight += Number(/exiting with (\d+) in flight/.exec(child.stdout)?.[1] ?? 0);
    const failure = failureOf('exit', seed, child, child.stdout.includes('exiting'));
    if (failure !== null) findings.push(`case ${index}: ${failure}`);
  }
  return {
    name: 'exit', seed, figures: { cases, chainsInFlightAtExit: inflight }, findings,
    replay: `node --import tsx ${DRIVERS.teardown} --exit-case --seed ${seed} --index <case>`,
    elapsedMs: Math.round(performance.now() - started),
  };
}

/**
 * runCampaigns - run campaigns one after another, each in child processes.
 *
 * @param seed - the master seed (each campaign gets its own from it).
 * @param plans - which campaigns, for how long or how many cases.
 * @param log - called with each result as it is done.
 */
export function runCampaigns(seed: number, plans: readonly CampaignPlan[], log: (result: CampaignResult) => void = () => undefined): CampaignResult[] {
  return plans.map((plan, i) => {
    const campaignSeed = (seed + i * 7919) >>> 0;
    const result = plan.name === 'exit' ? runExit(plan, campaignSeed) : runDriver(plan, campaignSeed);
    log(result);
    return result;
  });
}

function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const seconds = Number(argValue('seconds') ?? 60);
  const seed = Number(argValue('seed') ?? Date.now() % 2 ** 31);
  const names = (argValue('campaigns')?.split(',') ?? Object.keys(CAMPAIGNS)) as CampaignName[];
  const shares = names.reduce((sum, name) => sum + CAMPAIGNS[name], 0);
  const plans = names.map((name) => ({ name, seconds: Math.max(1, Math.round((seconds * CAMPAIGNS[name]) / shares)) }));
  process.stdout.write(`fuzz campaigns, seed ${seed}, ${seconds} s: ${plans.map((plan) => `${plan.name} ${plan.seconds} s`).join(', ')}\n`);
  const results = runCampaigns(seed, plans, (result) => {
    const figures = Object.entries(result.figures).map(([key, value]) => `${key} ${value}`).join(', ');
    process.stdout.write(`${result.name.padEnd(9)} ${(result.elapsedMs / 1000).toFixed(0)} s: ${figures}; ${result.findings.length} findings\n`);
    for (const finding of result.findings.slice(0, 10)) process.stdout.write(`  FINDING ${finding}\n  replay: ${result.replay}\n`);
  });
  const findings = results.reduce((sum, result) => sum + result.findings.length, 0);
  const total = (key: string): number => results.reduce((sum, result) => sum + (result.figures[key] ?? 0), 0);
  process.stdout.write(`total: ${total('cases')} cases, ${total('chains')} chains, ${total('atoms')} atoms, ${total('canaryChecks')} canary checks; ${findings} findings\n`);
  const out = argValue('out');
  if (out !== undefined) writeFileSync(out, JSON.stringify({ seed, seconds, results }, null, 2));
  process.exitCode = findings === 0 ? 0 : 1;
}
