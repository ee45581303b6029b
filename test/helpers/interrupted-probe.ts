/**
 * The tests of inline probes a signal interrupts: a child under tsx reads a FIFO that this process
 * feeds, while strace, attached to the child's JavaScript thread alone (no -f), makes every other
 * ppoll of that thread answer EINTR. That is the kernel's answer when a signal with a handler
 * (libuv's SIGCHLD, a process.on listener, Node's own SIGUSR1) reaches the thread during the call:
 * the JavaScript thread takes a process's signals first, and ppoll is never restarted. strace
 * gives the timing a signal storm only hits now and then (hunt30: 3 of 7 FIFO reads under
 * 60,000-120,000 SIGUSR2 a second). The library's own waits go round on EINTR (engine-wake.ts),
 * which is why only every other ppoll is interrupted.
 */
import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { hasStrace } from './strace.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Child-side: the source of a function `untilGo()` that prints the child's pid and waits for the test's go. */
export const WAIT_FOR_GO = `
function untilGo() {
  process.stdout.write('pid ' + process.pid + '\\n');
  return new Promise((resolve) => process.stdin.once('data', () => { process.stdin.pause(); resolve(); }));
}
`;

/** How a child run under injected EINTRs ended. */
export interface InterruptedRun {
  /** The last stdout line, parsed (undefined when the child printed none). */
  readonly report: unknown;
  readonly stdout: string;
  readonly stderr: string;
  /** strace's complaint when it could not attach (no ptrace here): the test skips. */
  readonly notAttached?: string;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * runWithInterruptedPolls - run `script` (a .mts using {@link WAIT_FOR_GO}) on `engine`; once strace
 * is attached to its main thread, send it the go and feed `fifo` (opened here O_RDWR, so that
 * neither side's open waits): each of `pieces` after `pauseMs`, then close, so the child's read
 * meets its end. The child is SIGKILLed after 60 s.
 */
export async function runWithInterruptedPolls(script: string, engine: 'io_uring' | 'threads', fifo: string, pieces: readonly string[], pauseMs: number): Promise<InterruptedRun> {
  const feeder = openSync(fifo, 'r+');
  const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['pipe', 'pipe', 'pipe'] });
  const kill = setTimeout(() => child.kill('SIGKILL'), 60_000);
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const pid = await new Promise<number>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const found = /^pid (\d+)\n/.exec(stdout);
      if (found !== null) resolve(Number(found[1]));
    });
    child.on('close', () => resolve(-1));
  });
  let traceErr = '';
  let attached = false;
  const strace = pid < 0 ? undefined : spawn('strace', ['-p', String(pid), '-o', '/dev/null', '-e', 'trace=ppoll', '-e', 'inject=ppoll:error=EINTR:when=1+2'], { stdio: ['ignore', 'ignore', 'pipe'] });
  strace?.stderr.on('data', (chunk: Buffer) => {
    traceErr += chunk.toString();
    if (/attached/.test(traceErr)) attached = true;
  });
  const straceEnded = strace === undefined ? Promise.resolve() : new Promise((resolve) => strace.on('close', resolve));
  for (let waited = 0; !attached && waited < 10_000 && strace?.exitCode === null; waited += 50) await sleep(50);
  const childEnded = new Promise((resolve) => child.on('close', resolve));
  if (attached) {
    child.stdin.end('go\n');
    for (const piece of pieces) {
      await sleep(pauseMs);
      writeSync(feeder, piece);
    }
  } else {
    child.kill('SIGKILL');
  }
  closeSync(feeder);
  await childEnded;
  clearTimeout(kill);
  strace?.kill('SIGTERM');
  await straceEnded;
  const last = stdout.trim().split('\n').pop() ?? '';
  const report: unknown = last.startsWith('{') ? JSON.parse(last) : undefined;
  return attached ? { report, stdout, stderr } : { report, stdout, stderr, notAttached: traceErr || 'strace did not attach' };
}

/**
 * runOnInterruptedFifo - {@link runWithInterruptedPolls} of the child `script(fifo)` makes, with a
 * fresh FIFO in a temporary directory (removed after); skips `t` when strace is missing or
 * cannot attach here.
 * @returns the run, or undefined when the test was skipped.
 */
export async function runOnInterruptedFifo(t: TestContext, script: (fifo: string) => string, engine: 'io_uring' | 'threads', pieces: readonly string[], pauseMs: number): Promise<InterruptedRun | undefined> {
  if (!hasStrace()) {
    t.skip('strace is not installed');
    return undefined;
  }
  const dir = mkdtempSync(join(tmpdir(), 'syslet-probe-eintr-'));
  try {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const file = join(dir, 'child.mts');
    writeFileSync(file, script(fifo));
    const run = await runWithInterruptedPolls(file, engine, fifo, pieces, pauseMs);
    if (run.notAttached === undefined) return run;
    t.skip(`strace cannot attach here: ${run.notAttached.trim()}`);
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
