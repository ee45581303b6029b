/**
 * The tests of calls that must wait off the JavaScript thread (an open of a FIFO with no partner,
 * a lease break): a child under tsx makes the call while a 10 ms interval ticks, and reports the
 * longest gap between ticks; a call made on the JavaScript thread shows as a gap as long as its
 * wait. The child's source uses {@link GAP_TICKER} and {@link GAP_REPORT}; the test runs it with
 * {@link runGapChild}, releasing the wait from `onOutput` when the child has said what it needs.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { closeSync, constants, openSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The module that bundles the cachemiss thread's script (from sources: esbuild, run as a child process). */
const CACHEMISS_ENTRY = new URL('../../engine/cachemiss-entry.ts', import.meta.url).href;

/**
 * Child-side: start the interval whose longest gap is reported (declares `last`, `maxGap`,
 * `ticking`, `queuedMs`). A gap leaves out the time the JavaScript thread waited in the run
 * queue for a CPU (its /proc schedstat): on a loaded machine (load 12-16 on two cores) that
 * wait alone reached 350 ms, while a call that blocks the thread inline sleeps in the kernel and
 * still counts in full.
 *
 * Before the interval starts, the cachemiss thread's script is bundled (top-level await: the
 * ticker goes at a module's top level). Run from the sources, a process bundles it with esbuild's
 * buildSync when its first cachemiss thread starts — on io_uring, the first call handed to a
 * thread, after the interval began — and the JavaScript thread sleeps in that child process's
 * wait, which no run queue leaves out: 62-187 ms of the gaps of the FIFO tests on io_uring at
 * load 5-6 (11-16 ms on threads, whose engine starts its threads before), against a limit of
 * 500 ms. The package users have ships the script built (dist/engine/cachemiss-worker.cjs).
 */
export const GAP_TICKER =
  `(await import(${JSON.stringify(CACHEMISS_ENTRY)})).cachemissWorkerEntry();` +
  " const queuedMs = () => { try { return Number(process.getBuiltinModule('node:fs').readFileSync('/proc/thread-self/schedstat', 'utf8').split(' ')[1]) / 1e6; } catch { return 0; } };" +
  ' let last = Date.now() - queuedMs(); let maxGap = 0; const ticking = setInterval(() => { const now = Date.now() - queuedMs(); maxGap = Math.max(maxGap, now - last); last = now; }, 10);';

/** Child-side: stop the interval and print `{"maxGap":…}` on a line of its own. */
export const GAP_REPORT = 'clearInterval(ticking); console.log(JSON.stringify({ maxGap: Math.max(maxGap, Date.now() - queuedMs() - last) }));';

/** What a gap child printed, and the longest gap it reported. */
export interface GapRun {
  readonly lines: readonly string[];
  readonly stderr: string;
  readonly maxGap: number;
}

/**
 * runGapChild - run `script` with tsx on `engine` (SIGKILLed after `limitMs`), from the repository
 * root so that it can import the sources.
 *
 * @param script - the child's file (.mts).
 * @param engine - the engine it runs on (SYSLET_AIO_ENGINE).
 * @param onOutput - called with all of its stdout so far at each chunk: where a test releases
 *   the wait (opens the FIFO's other end...).
 * @param limitMs - when it is killed: 30 s by default; a child that waits on a slow FUSE server
 *   many times (1.5 s a request) takes 20–30 s on an idle machine and asks for more (fuse-gap.ts).
 * @returns its stdout lines, stderr and the gap it reported (asserted to be there).
 */
export async function runGapChild(script: string, engine: 'io_uring' | 'threads', onOutput: (stdout: string) => void = () => {}, limitMs = 30_000): Promise<GapRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['ignore', 'pipe', 'pipe'] });
  const kill = setTimeout(() => child.kill('SIGKILL'), limitMs);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    onOutput(stdout);
  });
  await new Promise((resolve) => child.on('close', resolve));
  clearTimeout(kill);
  const lines = stdout.trim().split('\n');
  const gapLine = lines.find((line) => line.includes('"maxGap"')) ?? '';
  assert.match(gapLine, /maxGap/, `the child reported: ${stdout} ${stderr.slice(0, 1500)}`);
  return { lines, stderr, maxGap: (JSON.parse(gapLine) as { maxGap: number }).maxGap };
}

/**
 * releaseAfterCalling - an `onOutput` for {@link runGapChild} that, `delayMs` after the child's
 * first output, opens the FIFO for writing and closes it again: a reader waiting in its open is
 * released (a non-blocking writer's open succeeds once a reader waits), and nothing is written.
 *
 * @returns the callback, and `stop` to cancel a release not made yet.
 */
export function releaseAfterCalling(fifo: string, delayMs: number): { onOutput: () => void; stop: () => void } {
  let release: NodeJS.Timeout | undefined;
  return {
    onOutput: () => {
      release ??= setTimeout(() => {
        try {
          closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
        } catch {
          // no reader waiting in its open (yet): nothing to release
        }
      }, delayMs);
    },
    stop: () => clearTimeout(release),
  };
}
