/**
 * Running a burst (limits-burst.ts) in a child process under a real seccomp filter or resource
 * limit, for the test/limits-*.test.ts files: the launcher (test/fixtures/refuse-and-limit.c) is
 * built with gcc once per test file, and each child reports one BurstReport or how it died.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STILL_LOADER_ENV } from './child.js';
import { RESULT_PREFIX, type BurstOptions, type BurstReport } from './limits-burst.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BURST = fileURLToPath(new URL('./limits-burst.ts', import.meta.url));

/** The launcher's path, or why it cannot be had (the reason a test skips with). */
export type Launcher = { readonly path: string; readonly missing: null } | { readonly path: null; readonly missing: string };

/** buildLauncher - compile refuse-and-limit.c (removed at exit). */
export function buildLauncher(): Launcher {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-limits-launcher-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, 'refuse-and-limit');
  const source = fileURLToPath(new URL('../fixtures/refuse-and-limit.c', import.meta.url));
  const built = spawnSync('gcc', ['-O2', '-o', path, source], { encoding: 'utf8' });
  if (built.error !== undefined || built.status !== 0) return { path: null, missing: `gcc cannot build the launcher: ${built.error?.message ?? built.stderr.split('\n')[0] ?? ''}` };
  return { path, missing: null };
}

/** Why a test that drops to another uid (RLIMIT_NPROC, RLIMIT_MEMLOCK apply to non-root only) cannot run here, or null. */
export function needsRoot(): string | null {
  return process.getuid?.() === 0 ? null : 'needs root: the launcher must drop to uid 65534 for RLIMIT_NPROC/RLIMIT_MEMLOCK to apply';
}

/** The uid the launcher drops to (nobody). */
export const NOBODY = 65534;

/** How a burst child ended. */
export interface BurstRun {
  readonly report: BurstReport | null;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly timedOut: boolean;
  /** The end of stderr, for the assertion message. */
  readonly tail: string;
  /** The child's peak VmRSS (sampled), bytes. */
  readonly peakRssBytes: number;
}

/** What runBurstChild adds around the burst. */
export interface RunOptions {
  /** The launcher's arguments before `--` (none: no launcher). */
  readonly launcher?: readonly string[];
  /** Variables added to the environment (SYSLET_AIO_ENGINE=threads, say). */
  readonly env?: Readonly<Record<string, string>>;
  /** Node flags (`--max-old-space-size=64`). */
  readonly nodeFlags?: readonly string[];
  /** Kill the child (SIGKILL) when its RSS passes this; never wake the shared machine's OOM killer. */
  readonly rssLimitBytes?: number;
  readonly timeoutMs?: number;
}

function residentBytes(pid: number): number {
  try {
    return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** runBurstChild - run one burst in a fresh process, under the launcher when asked. */
export function runBurstChild(launcherPath: string | null, burst: BurstOptions, options: RunOptions = {}): Promise<BurstRun> {
  const node = [process.execPath, ...(options.nodeFlags ?? []), '--import', 'tsx', BURST, JSON.stringify(burst)];
  const argv = options.launcher === undefined || launcherPath === null ? node : [launcherPath, ...options.launcher, '--', ...node];
  // tsx's cache off (STILL_LOADER_ENV): its writes and directory sweep would open and close fds
  // after the limits are set (`nofileFree` counts the free fd numbers once).
  const env: NodeJS.ProcessEnv = { ...process.env, ...STILL_LOADER_ENV, ...options.env };
  delete env.NODE_TEST_CONTEXT;
  if (options.env?.SYSLET_AIO_ENGINE === undefined) delete env.SYSLET_AIO_ENGINE;
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0] as string, argv.slice(1), { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let peakRssBytes = 0;
    const sampler = setInterval(() => {
      const rss = child.pid === undefined ? 0 : residentBytes(child.pid);
      peakRssBytes = Math.max(peakRssBytes, rss);
      if (options.rssLimitBytes !== undefined && rss > options.rssLimitBytes) child.kill('SIGKILL');
    }, 5);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, options.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      clearInterval(sampler);
      const line = stdout.split('\n').find((text) => text.startsWith(RESULT_PREFIX));
      const report = line === undefined ? null : (JSON.parse(line.slice(RESULT_PREFIX.length)) as BurstReport);
      const tail = stderr.split('\n').filter((text) => !/^\s+at |^\s*\d+: 0x/.test(text)).slice(-8).join('\n');
      resolve({ report, code, signal, timedOut, tail, peakRssBytes });
    });
  });
}

/** describe - a run in one line, for assertion messages. */
export function describeRun(run: BurstRun): string {
  return run.report !== null ? JSON.stringify(run.report) : `no report: code ${run.code}, signal ${run.signal}${run.timedOut ? ', killed at the time limit (a hang)' : ''}\n${run.tail}`;
}
