/**
 * Run from the TypeScript sources, a process bundles its cachemiss threads' script with esbuild
 * when it first needs a thread. At the fd limit that bundling fails with EMFILE (and the thread's
 * start with it: the pool answers the chains waiting for one) instead of hanging the process:
 * esbuild's buildSync went through a worker thread of its own, which could not start, and waited
 * for it for ever.
 *
 * Runs in a child whose RLIMIT_NOFILE is lowered (`ulimit -n`) and which fills its fd table.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { STILL_LOADER_ENV, engineUrl } from './helpers/child.js';

const WORKER = fileURLToPath(new URL('../engine/cachemiss-worker.ts', import.meta.url));

const CHILD = `
import { openSync } from 'node:fs';
import { bundleCachemissWorker } from ${JSON.stringify(engineUrl('cachemiss-entry'))};
const fds = [];
let full = null;
try { for (;;) fds.push(openSync('/dev/null', 'r')); } catch (error) { full = error.code; }
let outcome;
try {
  outcome = { bytes: bundleCachemissWorker(${JSON.stringify(WORKER)}, 'koffi').length };
} catch (error) {
  outcome = { threw: String(error).slice(0, 200) };
}
process.stdout.write(JSON.stringify({ full, outcome }));
process.exit(0);
`;

test('bundling the cachemiss worker from sources at the fd limit throws EMFILE instead of hanging', { timeout: 60_000 }, (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-bundle-fd-limit-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const script = join(dir, 'child.mts');
  writeFileSync(script, CHILD);
  const child = spawnSync('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" --import tsx "${script}"`], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, ...STILL_LOADER_ENV } });
  assert.notEqual(child.signal, 'SIGTERM', `the child hung (killed at 30 s) in esbuild's buildSync\n${child.stderr.slice(-2000)}`);
  assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
  const report = JSON.parse(child.stdout) as { full: string | null; outcome: { threw?: string; bytes?: number } };
  assert.equal(report.full, 'EMFILE', 'the child filled its fd table');
  assert.match(report.outcome.threw ?? `bundled ${report.outcome.bytes} bytes`, /EMFILE/);
});
