/**
 * Running a child under strace: for what only the syscalls a process makes can show (a probe
 * not repeated, an lseek not made). Tests skip without strace.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** hasStrace - whether an `strace` executable is on the PATH. */
export function hasStrace(): boolean {
  for (const dir of (process.env.PATH ?? '').split(':')) {
    try {
      readFileSync(join(dir, 'strace'));
      return true;
    } catch {
      // not in this directory
    }
  }
  return false;
}

/** How a traced (or plain) child ended. */
export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * run - run `command args` from the repository's root, killing it (SIGKILL) after `timeoutMs`.
 * @example await run('strace', ['-f', '-e', 'trace=lseek', '-o', trace, process.execPath, script], 60_000)
 */
export function run(command: string, args: readonly string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}
