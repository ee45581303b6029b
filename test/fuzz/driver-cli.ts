/**
 * What the seeded differential fuzz drivers share (test/fuzz/fd-kinds.ts, test/fuzz/fs-api.ts):
 * their command line (`--name value`), how a run ends (the report written to `--out`, a summary
 * line and one `VIOLATION` line per finding on stdout, exit status 1 when there is any), and how
 * a CI test runs one in a child process and reads its report back.
 */
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** argValue - the value after `--name` on the command line, or undefined. */
export function argValue(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** finishRun - write the report to `--out` (if given), print its summary and violations, set the exit status. */
export function finishRun(report: { readonly violations: readonly string[] }): void {
  const out = argValue('out');
  if (out !== undefined) writeFileSync(out, JSON.stringify(report, null, 2));
  process.stdout.write(`${JSON.stringify({ ...report, violations: report.violations.length })}\n`);
  for (const violation of report.violations) process.stdout.write(`VIOLATION ${violation}\n`);
  process.exitCode = report.violations.length === 0 ? 0 : 1;
}

/**
 * runInChild - run a driver in a child process (stdin /dev/null, so nothing it does can block on
 * the runner's pipes) with `args` and `--out`, and read its report back.
 * @returns the report (null when the child wrote none: a crash, a hang past `timeoutMs`) and the child.
 */
export function runInChild<Report>(driver: string, args: readonly string[], timeoutMs: number): { report: Report | null; child: SpawnSyncReturns<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fuzz-out-'));
  const out = join(dir, 'report.json');
  try {
    const child = spawnSync(process.execPath, ['--import', 'tsx', driver, ...args, '--out', out], { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs, encoding: 'utf8' });
    let report: Report | null = null;
    try {
      report = JSON.parse(readFileSync(out, 'utf8')) as Report;
    } catch {
      report = null;
    }
    return { report, child };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
