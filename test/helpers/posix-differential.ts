/**
 * The differential runner of the POSIX tests: every behaviour runs against glibc's own AIO and
 * against the syslet shim, the same test body for both. Where glibc fails a test, the test is
 * wrong; where the two differ, it is a bug of the shim or a deviation docs/posix-aio.md lists.
 *
 * A test file declares one behaviour with {@link differential} (one body) or
 * {@link differentialCases} (the variants or tiny checks of one behaviour, run one after another
 * in the same process). Under `node --test` that registers one test per implementation and case
 * ("glibc: ...", "syslet: ..."); each implementation runs in a fresh child process
 * (`node --import tsx <the same file>` with POSIX_IMPL set) with a time limit. A fresh process
 * because the ported C tests assume one: signal dispositions, aio_init before the first request
 * and glibc's helper threads are per process; and because a body that hangs in a blocking call
 * (aio_suspend, lio_listio(LIO_WAIT)) or crashes must fail its test, not the runner.
 *
 * The child reports one line per case, `POSIX-RESULT {...}`: pass, skip (with the reason a C test
 * would give for UNSUPPORTED/UNTESTED/UNRESOLVED), or fail (with the assertion message).
 */
import { spawn } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { IMPL_NAMES, implementation, Unsupported, type AioImpl, type ImplName } from './posix-impl.js';

const RESULT = 'POSIX-RESULT ';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Thrown by `env.skip()`: the child reports a skip instead of a pass. */
class Skip extends Error {}

/** What a body gets besides the implementation. */
export interface ScenarioEnv {
  /** A scratch directory, removed when the case ends. */
  readonly dir: string;
  /** skip - end the case as skipped, with the reason (e.g. LTP's UNTESTED/UNRESOLVED cases). */
  readonly skip: (reason: string) => never;
  /** note - a line of diagnostics shown with the test's result. */
  readonly note: (message: string) => void;
}

/** A test body: the ported test; it throws (assert) on failure. */
export type ScenarioBody = (impl: AioImpl, env: ScenarioEnv) => void | Promise<void>;

/** One case of a {@link differentialCases} file. */
export interface ScenarioCase {
  /** The check, with its origin (glibc or LTP file). */
  readonly title: string;
  readonly body: ScenarioBody;
}

export interface ScenarioOptions {
  /** The child's time limit (default 60 s: a hang fails, a loaded machine does not). */
  readonly timeoutMs?: number;
  /** Require the child to exit with status 0 after its results (tst-aio7: exit with a request pending). */
  readonly cleanExit?: boolean;
  /** Extra environment for the children (SYSLET_AIO_DISABLED=1, say). */
  readonly env?: Readonly<Record<string, string>>;
}

interface CaseOutcome {
  readonly status: 'pass' | 'skip' | 'fail';
  readonly message: string;
  readonly notes: readonly string[];
}

/**
 * differential - declare one behaviour, tested against every implementation.
 *
 * @param moduleUrl - the test file's `import.meta.url` (the child re-runs that file).
 * @param title - the behaviour, with its origin (glibc or LTP file) when it is a port.
 * @param body - the test; it throws (assert) on failure.
 * @example
 * ```ts
 * differential(import.meta.url, 'aio_read at offset -1 fails with EINVAL (LTP aio_read/11-1)', (impl, env) => { ... });
 * ```
 */
export function differential(moduleUrl: string, title: string, body: ScenarioBody, options: ScenarioOptions = {}): void {
  differentialCases(moduleUrl, [{ title, body }], options);
}

/**
 * differentialCases - declare the checks of one behaviour (tiny ported C tests of one function,
 * say), each tested against every implementation; per implementation they run one after another
 * in one child process, each with its own scratch directory.
 */
export function differentialCases(moduleUrl: string, cases: readonly ScenarioCase[], options: ScenarioOptions = {}): void {
  const childImpl = process.env.POSIX_IMPL;
  if (childImpl !== undefined) {
    void runCases(childImpl as ImplName, cases);
    return;
  }
  const file = fileURLToPath(moduleUrl);
  // Both children start now and run at once: the file takes as long as the slower one.
  const runs = IMPL_NAMES.map((name) => ({ name, outcomes: runChild(file, name, cases.length, options) }));
  for (const run of runs) {
    cases.forEach(({ title }, index) => {
      test(`${run.name}: ${title}`, async (t) => {
        const outcome = (await run.outcomes)[index] as CaseOutcome;
        for (const note of outcome.notes) t.diagnostic(note);
        record(file, run.name, title, outcome);
        if (outcome.status === 'skip') {
          t.skip(outcome.message);
          return;
        }
        if (outcome.status === 'fail') throw new Error(outcome.message);
      });
    });
  }
}

async function runCases(name: ImplName, cases: readonly ScenarioCase[]): Promise<void> {
  const impl = await implementation(name);
  for (const { body } of cases) {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-posix-'));
    const notes: string[] = [];
    const env: ScenarioEnv = {
      dir,
      skip: (reason) => {
        throw new Skip(reason);
      },
      note: (message) => {
        notes.push(message);
      },
    };
    let outcome: CaseOutcome;
    try {
      await body(impl, env);
      outcome = { status: 'pass', message: '', notes };
    } catch (error) {
      if (error instanceof Skip || error instanceof Unsupported) outcome = { status: 'skip', message: error.message, notes };
      else outcome = { status: 'fail', message: error instanceof Error ? (error.stack ?? error.message) : String(error), notes };
    }
    rmSync(dir, { recursive: true, force: true });
    process.stdout.write(`${RESULT}${JSON.stringify(outcome)}\n`);
  }
  // A C test returns from main with requests possibly still pending; so does this one.
  process.exit(0);
}

function runChild(file: string, name: ImplName, count: number, options: ScenarioOptions): Promise<CaseOutcome[]> {
  const timeoutMs = options.timeoutMs ?? 60_000;
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, POSIX_IMPL: name };
  // The child is a plain script, not a node:test subprocess.
  delete env.NODE_TEST_CONTEXT;
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const reported = stdout
        .split('\n')
        .filter((line) => line.startsWith(RESULT))
        .map((line) => JSON.parse(line.slice(RESULT.length)) as CaseOutcome);
      const tail = stderr.trim().split('\n').slice(-12).join('\n');
      const how = timedOut ? `still running after ${timeoutMs} ms (killed): a hang` : `exited (code ${code}, signal ${signal}) without a result: a crash`;
      const outcomes: CaseOutcome[] = [];
      for (let index = 0; index < count; index++) {
        const outcome = reported[index];
        outcomes.push(outcome ?? { status: 'fail', message: `${name}: ${how}\n${tail}`, notes: [] });
      }
      if (reported.length === count && (code !== 0 || signal !== null)) {
        // Every case reported, then the process ended badly: a failure of the last case when the
        // test asks for a clean exit, a note otherwise.
        const exit = `exited with code ${code}, signal ${signal} after reporting\n${tail}`;
        const last = outcomes[count - 1] as CaseOutcome;
        outcomes[count - 1] = options.cleanExit === true ? { status: 'fail', message: exit, notes: last.notes } : { ...last, notes: [...last.notes, exit] };
      }
      resolve(outcomes);
    });
  });
}

// With POSIX_SUMMARY=<file>, each outcome is appended as one JSON line (for a results table).
function record(file: string, name: ImplName, title: string, outcome: CaseOutcome): void {
  const summary = process.env.POSIX_SUMMARY;
  if (summary === undefined) return;
  appendFileSync(summary, `${JSON.stringify({ file: basename(file), impl: name, title, ...outcome })}\n`);
}
