/** Runs a child-process scenario of test/fuzz/scenarios.ts and collects how it ended. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const scenarios = join(import.meta.dirname, 'scenarios.ts');

/** runScenario - `node --import tsx scenarios.ts ...args` with stdin /dev/null. */
export function runScenario(args: readonly string[], env: NodeJS.ProcessEnv = {}, timeoutMs = 20000): { status: number | null; signal: string | null; stdout: string; stderr: string; ms: number } {
  const started = performance.now();
  const child = spawnSync(process.execPath, ['--import', 'tsx', scenarios, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    timeout: timeoutMs,
    env: { ...process.env, ...env },
  });
  return { status: child.status, signal: child.signal, stdout: child.stdout, stderr: child.stderr, ms: performance.now() - started };
}
