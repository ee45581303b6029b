/**
 * Running the CLI from source in a child process, as a user runs it, with a time limit: a test of
 * something that used to hang (a FIFO) fails with "timed out" instead of hanging the runner.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The repository root (where cli/main.ts is run from). */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How one CLI run ended. */
export interface CliRun {
  /** The exit code, or null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was still running at the time limit and was killed. */
  readonly timedOut: boolean;
}

/** Options of {@link runCli}. */
export interface CliOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Kill it (SIGKILL) after this long; default 60 s. */
  readonly timeoutMs?: number;
  /** Working directory (default: the repository root). */
  readonly cwd?: string;
}

/** cliArgv - the node arguments that run `syslet-aio <args>` from source. */
export function cliArgv(args: readonly string[]): string[] {
  return ['--import', 'tsx', `${ROOT}cli/main.ts`, ...args];
}

/** runCli - run `syslet-aio <args>` and resolve with how it ended. */
export function runCli(args: readonly string[], options: CliOptions = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const timeout = options.timeoutMs ?? 60_000;
    execFile(
      process.execPath, cliArgv(args),
      { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, timeout, killSignal: 'SIGKILL', maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const failure = error as (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals | null; code?: number | string }) | null;
        resolve({
          code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null,
          signal: failure?.signal ?? null,
          stdout,
          stderr,
          timedOut: failure?.killed === true && failure.signal === 'SIGKILL',
        });
      },
    );
  });
}

/**
 * spawnCli - start `syslet-aio <args>` and hand back the child, to signal it mid-run.
 * Its stdout and stderr are collected as text in `output()`.
 */
export function spawnCli(args: readonly string[], options: CliOptions = {}): { child: ChildProcess; output: () => { stdout: string; stderr: string }; exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }> } {
  const child = spawn(process.execPath, cliArgv(args), { cwd: options.cwd ?? ROOT, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal });
    });
  });
  return { child, output: () => ({ stdout, stderr }), exited };
}
