/**
 * The one progress line every fuzz driver writes to stderr, `checkpoint N` (N: the case, iteration
 * or batch about to run), and the one parser the campaign runner reads it back with: a child that
 * dies is reported with the last case it started, whatever the campaign.
 *
 * `SYSLET_FUZZ_FAULT=<N>:<abort|exit>` makes a driver fail on purpose when it reaches checkpoint N
 * (after writing a line to stdout and to stderr): `abort` ends it with SIGABRT, `exit` with status
 * 70 and no report. It exists so that a test can show that the runner reports a failing child with
 * its seed, last checkpoint and output (test/reliability-fuzz-failing-child-reported.test.ts);
 * nothing else sets it.
 */

/** The status a driver exits with for `SYSLET_FUZZ_FAULT=<N>:exit` (EX_SOFTWARE). */
export const INJECTED_EXIT_STATUS = 70;

const CHECKPOINT_LINE = /^checkpoint (\d+)\s*$/;

function parseFault(spec: string | undefined): { at: number; kind: 'abort' | 'exit' } | null {
  const match = /^(\d+):(abort|exit)$/.exec(spec ?? '');
  if (match === null) return null;
  return { at: Number(match[1]), kind: match[2] as 'abort' | 'exit' };
}

const fault = parseFault(process.env.SYSLET_FUZZ_FAULT);

/**
 * writeCheckpoint - record on stderr that case `index` is about to run.
 *
 * @param index - the case, iteration or batch number (a replay's `--from`).
 */
export function writeCheckpoint(index: number): void {
  process.stderr.write(`checkpoint ${index}\n`);
  if (fault === null || index !== fault.at) return;
  // Output on both streams first: the runner must show the tail of each.
  process.stdout.write(`fuzz fault injected at checkpoint ${index} (stdout)\n`);
  process.stderr.write(`fuzz fault injected at checkpoint ${index}: ${fault.kind}\n`);
  if (fault.kind === 'abort') process.abort();
  process.exit(INJECTED_EXIT_STATUS);
}

/**
 * lastCheckpoint - the last checkpoint a driver wrote.
 *
 * @param stderr - the driver's stderr.
 * @returns its number, or null when it wrote none (it died while starting).
 */
export function lastCheckpoint(stderr: string): number | null {
  const lines = stderr.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const match = CHECKPOINT_LINE.exec(lines[i] ?? '');
    if (match !== null) return Number(match[1]);
  }
  return null;
}

/**
 * isCheckpointLine - whether a stderr line is a checkpoint (left out of a finding's output tail).
 *
 * @param line - one line of stderr.
 */
export function isCheckpointLine(line: string): boolean {
  return CHECKPOINT_LINE.test(line);
}

/**
 * withoutCheckpoints - a driver's stderr without its checkpoint lines (what is left is what it said).
 *
 * @param stderr - the driver's stderr.
 */
export function withoutCheckpoints(stderr: string): string {
  return stderr.split('\n').filter((line) => !isCheckpointLine(line)).join('\n');
}
