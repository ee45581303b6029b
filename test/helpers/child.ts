/**
 * runChild - run a small ES module in a fresh `node --import tsx` process and report how it
 * ended. Used for what a test cannot observe from inside its own process: whether the event
 * loop exits by itself, and whether process.exit() returns with work in flight.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** engineUrl - the file URL of an engine module (`'engine'`, `'builder'`...), to import in a child script. */
export function engineUrl(module: string): string {
  return new URL(`../../engine/${module}.ts`, import.meta.url).href;
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
}

/** runChild - run `source` (an ES module) and resolve when it exits or is killed at `timeoutMs`. */
export function runChild(source: string, timeoutMs: number): Promise<ChildResult> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-child-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, source);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout, stderr, timedOut, elapsedMs: performance.now() - started });
    });
  });
}
