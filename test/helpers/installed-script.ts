/**
 * Scripts run with the installed package (test/helpers/tarball.ts): one on an engine, killed if
 * it cannot exit in time; and one under this Node and every other Node binary the run names, for
 * the differential tests whose answer depends on the Node version.
 */
import { execFile, execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { childEnv, installPackedTarball } from './tarball.js';

/** How a script run by {@link runOnEngine} ended. */
export interface ScriptEnd {
  readonly code: number | null;
  readonly signal: string | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * runOnEngine - run `script` with plain node in `cwd` on `engine` (the default engine for
 * 'io_uring', SYSLET_AIO_ENGINE=threads for 'threads'), SIGKILLed after `timeoutMs`.
 *
 * @param nodeFlags - node's own flags, before the script (`--experimental-permission`...).
 * @returns its exit code (null when killed), signal and output.
 */
export function runOnEngine(script: string, cwd: string, engine: 'io_uring' | 'threads', timeoutMs = 20_000, nodeFlags: readonly string[] = []): Promise<ScriptEnd> {
  const env = childEnv(engine === 'threads' ? { SYSLET_AIO_ENGINE: 'threads' } : {});
  if (engine === 'io_uring') delete env.SYSLET_AIO_ENGINE;
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeFlags, script], { cwd, env, timeout: timeoutMs, killSignal: 'SIGKILL' }, (error, stdout, stderr) => {
      const failure = error as (Error & { code?: unknown; signal?: string | null }) | null;
      resolve({ code: failure === null ? 0 : typeof failure.code === 'number' ? failure.code : null, signal: failure?.signal ?? null, stdout, stderr });
    });
  });
}

/** An installed package's script beside a FIFO of its own: see {@link installedScriptWithFifo}. */
export interface ScriptWithFifo {
  /** The script, in the consumer project (it imports the package by name). */
  readonly script: string;
  /** The consumer project: the script's working directory. */
  readonly cwd: string;
  /** A FIFO nobody has open yet, in the install's work directory. */
  readonly fifo: string;
}

/**
 * installedScriptWithFifo - install the packed tarball (removed after the test), make a FIFO in
 * its work directory and write `source(fifo)` as `name` in the consumer project: what the tests of
 * a read blocked on an empty FIFO in a real process (terminated workers, exit listeners, the
 * permission model) each set up.
 *
 * @returns the script, its working directory and the FIFO.
 */
export async function installedScriptWithFifo(t: TestContext, name: string, source: (fifo: string) => string): Promise<ScriptWithFifo> {
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const fifo = join(installed.work, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const script = join(installed.consumer, name);
  writeFileSync(script, source(fifo));
  return { script, cwd: installed.consumer, fifo };
}

/** The Node binaries a differential test runs under: this one, and SYSLET_AIO_OTHER_NODES (colon-separated). */
export function nodesToCompare(): string[] {
  return [process.execPath, ...(process.env.SYSLET_AIO_OTHER_NODES ?? '').split(':').filter((path) => path !== '')];
}

/**
 * differencesUnderEachNode - run `script file` (it prints `{ node: string[], syslet: string[] }`:
 * each case's answer from node:fs/promises and from syslet-aio/fs) under every Node of
 * {@link nodesToCompare}, in `cwd`.
 *
 * @returns one line per case whose answers differ, naming the Node; empty when none.
 * @throws Error when a run fails.
 */
export async function differencesUnderEachNode(script: string, cwd: string, file: string): Promise<string[]> {
  const differences: string[] = [];
  for (const node of nodesToCompare()) {
    const answers = await new Promise<{ node: string[]; syslet: string[] }>((resolve, reject) => {
      execFile(node, [script, file], { cwd, timeout: 60_000 }, (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`${node}: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout) as { node: string[]; syslet: string[] });
      });
    });
    if (answers.syslet.length !== answers.node.length) differences.push(`${node}: ${answers.node.length} cases, syslet-aio/fs answered ${answers.syslet.length}`);
    answers.node.forEach((answer, i) => {
      if (answer !== answers.syslet[i]) differences.push(`${node}: case ${i}: node ${answer} | syslet-aio/fs ${String(answers.syslet[i])}`);
    });
  }
  return differences;
}
