/**
 * The POSIX-vs-glibc differential fuzz: random sequences of <aio.h> calls (posix-vs-glibc-gen.ts)
 * run against glibc's own AIO and against the syslet shim, each implementation in its own child
 * process (posix-vs-glibc-child.ts), and their observable outcomes compared
 * (posix-vs-glibc-compare.ts). A difference is shrunk to a minimal sequence by delta debugging
 * (the candidates of each round run as one batch, so a round costs two processes).
 *
 * Unlike test/fuzz/aiocb.ts (invariants of the shim alone, one batch of random aiocbs at a
 * time), this checks sequences against a reference: whole interleavings of submissions, waits,
 * cancels, re-submissions and lists, answer by answer.
 *
 * Campaign CLI: `node --import tsx test/fuzz/posix-vs-glibc.ts --seed S --count N [--batch B]
 * [--max-steps K] [--known] [--out report.json] </dev/null` (engine: SYSLET_AIO_ENGINE; --known puts
 * the reported findings back into the inputs); exit status 1 when
 * a difference remains, each printed with its seed and shrunk sequence.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMPL_NAMES, type ImplName } from '../helpers/posix-impl.js';
import { argValue, finishRun } from './driver-cli.js';
import { describe, generate, type Sequence } from './posix-vs-glibc-gen.js';
import { compareRuns, type CompareFigures } from './posix-vs-glibc-compare.js';
import type { RunResult } from './posix-vs-glibc-run.js';
import { seedFor } from './prng.js';

const CHILD = fileURLToPath(new URL('./posix-vs-glibc-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

type Outcome = RunResult | { error: string };

function runChild(name: ImplName, file: string, count: number, timeoutMs: number): Promise<Outcome[]> {
  const env: NodeJS.ProcessEnv = { ...process.env, POSIX_IMPL: name };
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const outcomes = stdout
        .split('\n')
        .filter((line) => line.startsWith('PVG '))
        .map((line) => JSON.parse(line.slice(4)) as Outcome);
      const why = timedOut
        ? `${name} child hung: stopped after ${timeoutMs} ms, before this sequence`
        : `${name} child ended (code ${code}, signal ${signal}) before this sequence: ${stderr.trim().split('\n').slice(-6).join(' | ')}`;
      while (outcomes.length < count) outcomes.push({ error: why });
      resolve(outcomes);
    });
  });
}

/**
 * runPairs - run `seqs` on both implementations (two child processes at once). A child still
 * running after `timeoutMs` (by default 30 s and 5 s a sequence: a sequence takes well under a
 * second) is stopped: glibc's lio_listio(LIO_WAIT) has been seen waiting for ever on entries its
 * helpers had lost (all idle), and nothing else can end that wait.
 */
export async function runPairs(seqs: readonly Sequence[], timeoutMs = 30_000 + 5_000 * seqs.length): Promise<{ glibc: Outcome; syslet: Outcome }[]> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-pvg-in-'));
  try {
    const file = join(dir, 'seqs.json');
    writeFileSync(file, JSON.stringify(seqs));
    const [g, s] = await Promise.all(IMPL_NAMES.map((name) => runChild(name, file, seqs.length, timeoutMs)));
    return seqs.map((_, i) => ({ glibc: (g as Outcome[])[i] as Outcome, syslet: (s as Outcome[])[i] as Outcome }));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** newFigures - zeroed counters. */
export function newFigures(): CompareFigures {
  return { calls: 0, exactCalls: 0, requests: 0, racy: 0, deliberate: 0 };
}

/** differences - what differs between the two outcomes of `seq` (an error of either side is one). */
export function differences(seq: Sequence, pair: { glibc: Outcome; syslet: Outcome }, figures: CompareFigures): string[] {
  if ('error' in pair.syslet) return [`syslet side failed: ${pair.syslet.error}`];
  // Nothing to compare against; the shim's own run must still have ended every request.
  if ('error' in pair.glibc) return [...pair.syslet.broken.map((b) => `syslet: ${b}`), `glibc side failed: ${pair.glibc.error}`];
  return compareRuns(seq, pair.glibc, pair.syslet, figures);
}

// What a difference is about, without its numbers: a shrunk sequence must keep the same kind.
function kind(message: string): string {
  return message.replace(/-?\d+/g, '#');
}

/**
 * shrink - delta debugging (ddmin over the steps): the smallest sub-sequence found whose first
 * difference is of the same kind as `seq`'s, confirmed by running it again.
 */
export async function shrink(seq: Sequence, first: string, log: (line: string) => void = () => undefined): Promise<{ seq: Sequence; diff: string }> {
  const want = kind(first);
  const reproduces = async (cands: Sequence[]): Promise<number> => {
    const pairs = await runPairs(cands);
    return pairs.findIndex((pair, i) => differences(cands[i] as Sequence, pair, newFigures()).some((d) => kind(d) === want));
  };
  let best = seq;
  let chunks = 2;
  while (best.steps.length > 1) {
    const size = Math.ceil(best.steps.length / chunks);
    const cands: Sequence[] = [];
    for (let at = 0; at < best.steps.length; at += size) {
      cands.push({ ...best, steps: [...best.steps.slice(0, at), ...best.steps.slice(at + size)] });
    }
    const hit = await reproduces(cands);
    if (hit >= 0) {
      best = cands[hit] as Sequence;
      chunks = Math.max(chunks - 1, 2);
      log(`shrink: ${best.steps.length} steps`);
    } else if (size === 1) break;
    else chunks = Math.min(chunks * 2, best.steps.length);
  }
  const [again] = await runPairs([best]);
  const diffs = again === undefined ? [] : differences(best, again, newFigures());
  return { seq: best, diff: diffs.find((d) => kind(d) === want) ?? `(did not reproduce on the last run) ${first}` };
}

/** What a campaign reports. */
export interface PosixVsGlibcReport {
  seed: number;
  engine: string;
  sequences: number;
  figures: CompareFigures;
  violations: string[];
  /** Differences seen in a batch that did not happen when the sequence ran alone. */
  batchOnly: string[];
  /**
   * Sequences that could not be compared because glibc's own AIO left a request EINPROGRESS past
   * the runner's limit — also when run alone — while the shim's side ended every request (seen:
   * a socket write submitted after an aio_cancel on the same fd, 1 run in 3 of seed 3481561940,
   * every glibc thread idle in a futex), or whose child hung (lio_listio(LIO_WAIT) waiting for
   * entries no helper runs). The reference stalled; nothing about the shim to report.
   */
  referenceStalls: string[];
}

/** campaign - `count` sequences from `master` in batches of `batch`; differences shrunk (at most `maxShrinks`). */
export async function campaign(master: number, count: number, options: { batch?: number; maxSteps?: number; maxShrinks?: number; known?: boolean; log?: (line: string) => void } = {}): Promise<PosixVsGlibcReport> {
  const batch = options.batch ?? 100;
  const log = options.log ?? (() => undefined);
  const figures = newFigures();
  const violations: string[] = [];
  const seenKinds = new Set<string>();
  const batchOnly: string[] = [];
  const referenceStalls: string[] = [];
  let shrinks = 0;
  for (let start = 0; start < count; start += batch) {
    const seqs: Sequence[] = [];
    for (let i = start; i < Math.min(count, start + batch); i++) seqs.push(generate(seedFor(master, i), options.maxSteps, options.known));
    const pairs = await runPairs(seqs);
    for (let i = 0; i < seqs.length; i++) {
      const seq = seqs[i] as Sequence;
      const diffs = differences(seq, pairs[i] as { glibc: Outcome; syslet: Outcome }, figures);
      if (diffs.length === 0) continue;
      // Run it again alone, in a fresh pair: a difference seen only after other sequences in the
      // same process (glibc has left a request EINPROGRESS for ever there, never alone) is noted,
      // not reported.
      const [alone] = await runPairs([seq]);
      const again = alone === undefined ? diffs : differences(seq, alone, newFigures());
      if (again.length === 0) {
        batchOnly.push(`seed ${seq.seed}: ${diffs[0]}`);
        continue;
      }
      const first = again[0] as string;
      if (first.startsWith('glibc') && /still EINPROGRESS|child hung/.test(first) && again.every((d) => d.startsWith('glibc'))) {
        referenceStalls.push(`seed ${seq.seed}: ${first}`);
        continue;
      }
      if (first.startsWith('glibc')) {
        // The reference failed by itself: nothing to shrink about the shim.
        violations.push(`seed ${seq.seed}: ${first}\n${describe(seq)}`);
        continue;
      }
      if (seenKinds.has(kind(first))) {
        violations.push(`seed ${seq.seed} (same kind as an earlier one): ${first}`);
        continue;
      }
      seenKinds.add(kind(first));
      if (shrinks++ >= (options.maxShrinks ?? 5)) {
        violations.push(`seed ${seq.seed}: ${first}\n${describe(seq)}`);
        continue;
      }
      log(`seed ${seq.seed}: ${first}; shrinking ${seq.steps.length} steps`);
      const small = await shrink(seq, first, log);
      violations.push(`seed ${seq.seed}: ${small.diff}\nshrunk to:\n${describe(small.seq)}`);
    }
    log(`${Math.min(count, start + batch)} of ${count} sequences, ${figures.calls} calls compared, ${violations.length} differences`);
  }
  return { seed: master, engine: process.env.SYSLET_AIO_ENGINE ?? 'default', sequences: count, figures, violations, batchOnly, referenceStalls };
}

/** replay - run one sequence's seed again (shrinking its first difference with `withShrink`). */
export async function replay(seed: number, maxSteps: number, withShrink: boolean, known = false): Promise<string[]> {
  const seq = generate(seed, maxSteps, known);
  const [pair] = await runPairs([seq]);
  const diffs = pair === undefined ? ['no result'] : differences(seq, pair, newFigures());
  const out = [describe(seq), ...diffs.map((d) => `DIFF ${d}`)];
  if (withShrink && diffs[0] !== undefined) {
    const small = await shrink(seq, diffs[0], (line) => process.stderr.write(`${line}\n`));
    out.push(`shrunk: ${small.diff}`, describe(small.seq));
  }
  return out;
}

const replaySeed = argValue('replay');
if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1] && replaySeed !== undefined) {
  process.stdout.write(`${(await replay(Number(replaySeed), Number(argValue('max-steps') ?? 40), process.argv.includes('--shrink'), process.argv.includes('--known'))).join('\n')}\n`);
} else if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const seed = Number(argValue('seed') ?? Math.floor(Math.random() * 2 ** 31));
  const count = Number(argValue('count') ?? 200);
  const report = await campaign(seed, count, {
    batch: Number(argValue('batch') ?? 100),
    maxSteps: Number(argValue('max-steps') ?? 40),
    maxShrinks: Number(argValue('max-shrinks') ?? 5),
    known: process.argv.includes('--known'),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  finishRun(report);
}
