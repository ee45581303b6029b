/**
 * runChild - run a small ES module in a fresh `node --import tsx` process and report how it
 * ended. Used for what a test cannot observe from inside its own process: whether the event
 * loop exits by itself, and whether process.exit() returns with work in flight.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** engineUrl - the file URL of an engine module (`'engine'`, `'builder'`...), to import in a child script. */
export function engineUrl(module: string): string {
  return new URL(`../../engine/${module}.ts`, import.meta.url).href;
}

/** helperUrl - the file URL of a test helper module (`'pipe'`...), to import in a child script. */
export function helperUrl(module: string): string {
  return new URL(`./${module}.ts`, import.meta.url).href;
}

/**
 * The environment a child under tsx needs for its fds, threads and limits to hold still once it is
 * loaded: tsx's disk cache off. With the cache on, a module tsx has not compiled before (every
 * child script runChild writes, at a new path; every module of a fresh clone) is written to the
 * cache with fs.promises.writeFile, and the first such write starts a sweep of the whole cache
 * directory (opendir and a read per 32 entries, on the loader's thread): an fd of tsx's opens and
 * closes 30-50 ms after the child's code began, more on a loaded machine (/tmp/tsx-0 held 14,588
 * entries here). A child that counts its free fds, or lowers RLIMIT_NOFILE to leave some, saw
 * one come or go (CI of e7d8dd4). Without the cache, tsx compiles each module in memory and
 * does no fs work of its own after the imports; it costs a child about 0.1 s.
 */
export const STILL_LOADER_ENV: Readonly<Record<string, string>> = { TSX_DISABLE_CACHE: '1' };

/** Options of {@link runChild}. */
export interface ChildOptions {
  /**
   * Kill the child (SIGKILL) as soon as its resident set exceeds this many bytes, sampled every
   * 2 ms from /proc/<pid>/status: a test of a memory bound must fail on its own, never by
   * waking the machine's OOM killer (the machine is shared).
   */
  readonly rssLimitBytes?: number;
  /** Extra node flags (before `--import tsx`), e.g. `--max-old-space-size=256`. */
  readonly nodeFlags?: readonly string[];
  /** Variables added to this process's environment for the child (SYSLET_AIO_DISABLED, say), after {@link STILL_LOADER_ENV}. */
  readonly env?: Readonly<Record<string, string>>;
}

/** How a child process ended. */
export interface ChildResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when it was still running after the time limit and had to be killed. */
  readonly timedOut: boolean;
  readonly elapsedMs: number;
  /** Largest VmRSS seen by the sampler, in bytes (0 when no limit was asked for). */
  readonly peakRssBytes: number;
  /** True when the child was killed for passing `rssLimitBytes`. */
  readonly killedForRss: boolean;
}

function residentBytes(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) * 1024;
  } catch {
    return 0;
  }
}

/** runChild - run `source` (an ES module) and resolve when it exits or is killed at `timeoutMs`. */
export function runChild(source: string, timeoutMs: number, options: ChildOptions = {}): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-child-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, source);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeFlags ?? []), '--import', 'tsx', file], { cwd: ROOT, env: { ...process.env, ...STILL_LOADER_ENV, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    let peakRssBytes = 0;
    let killedForRss = false;
    const limit = options.rssLimitBytes;
    const sampler = limit === undefined ? null : setInterval(() => {
      const rss = child.pid === undefined ? 0 : residentBytes(child.pid);
      peakRssBytes = Math.max(peakRssBytes, rss);
      if (rss > limit && !killedForRss) {
        killedForRss = true;
        child.kill('SIGKILL');
      }
    }, 2);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (sampler !== null) clearInterval(sampler);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, timedOut, elapsedMs: performance.now() - started, peakRssBytes, killedForRss });
    });
  });
}
