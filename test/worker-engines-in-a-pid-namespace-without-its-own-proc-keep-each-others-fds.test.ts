/**
 * In a PID namespace whose /proc is the parent namespace's (`unshare --pid --fork` without
 * `--mount-proc`, some sandboxes), an engine starting in one worker leaves the engines of the
 * other, live workers alone: their eventfds, io_uring fds and ring mappings stay, and the process
 * exits with its code.
 *
 * There gettid() and process.pid are namespace-local (process.pid is 1) while /proc/self/task lists
 * the parent namespace's tids, so a liveness check by `/proc/self/task/<tid>` finds no live worker
 * (fs/proc-fd.ts already tells this case by `readlink('/proc/self') !== String(process.pid)`).
 *
 * hunt25 (session 25), from the packed package: worker A makes an Engine and reads a file, worker B
 * then does the same, A reads 500 more times, process.exit(0): B's start closed A's io_uring fd and
 * eventfds (their numbers then reused by B's) and its pool's clock files — the process-wide
 * registry (engine/native/thread-resources.ts) judged A's thread ended — and the process died of
 * SIGSEGV at exit, 10 of 10 runs on io_uring, 5 of 10 on threads; with `--mount-proc`, 0 of 10.
 *
 * Session 26: after that fix, 1 run of 60 still died at exit (ci25g saw one too): "FATAL ERROR:
 * Error::ThrowAsJavaScriptException napi_throw" from letGo — a worker that had recorded nothing
 * opened the block (binding its pthread calls through koffi) while being terminated
 * (Koromix/koffi#190). letGo/closeHeld no longer open it; 0 of 80 since.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, spawn } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { installPackedTarball } from './helpers/tarball.js';

const APP = `
import { Worker } from 'node:worker_threads';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
// Engine descriptors by number, each with what identifies it: an eventfd's id, a ring's mappings.
const engineFds = () => {
  const maps = readFileSync('/proc/self/maps', 'latin1');
  const found = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    let link;
    try { link = readlinkSync('/proc/self/fd/' + fd); } catch { continue; }
    if (link === 'anon_inode:[eventfd]') found.push(fd + ' eventfd ' + (/^eventfd-id:\\s*(\\d+)$/m.exec(readFileSync('/proc/self/fdinfo/' + fd, 'latin1'))?.[1] ?? '?'));
    else if (link === 'anon_inode:[io_uring]') found.push(fd + ' io_uring');
  }
  for (const line of maps.split('\\n')) if (line.endsWith('anon_inode:[io_uring]')) found.push('mapping ' + line.split(' ')[0]);
  return found;
};
const a = new Worker(\`
const { parentPort } = require('node:worker_threads');
import('syslet-aio').then(async (L) => {
  const engine = new L.Engine();
  await L.readFileSyslet(engine, '/etc/passwd');
  parentPort.postMessage('ready');
  parentPort.once('message', async () => {
    let ok = 0;
    for (let i = 0; i < 500; i++) if ((await L.readFileSyslet(engine, '/etc/passwd')).length > 0) ok++;
    parentPort.postMessage(ok);
  });
});\`, { eval: true });
await new Promise((resolve) => a.once('message', resolve));
const before = engineFds();
const b = new Worker(\`import('syslet-aio').then(async (L) => { const e = new L.Engine(); await L.readFileSyslet(e, '/etc/hostname'); require('node:worker_threads').parentPort.postMessage('b'); })\`, { eval: true });
await new Promise((resolve) => b.once('message', resolve));
const after = engineFds();
a.postMessage('go');
const reads = await new Promise((resolve) => a.once('message', resolve));
process.stdout.write(JSON.stringify({ pid: process.pid, before, after, reads }));
process.exit(0);
`;

/** Whether this process may make a PID namespace (root, or unprivileged user namespaces). */
function canUnsharePid(): boolean {
  const probe = spawnSync('unshare', ['--pid', '--fork', 'true'], { stdio: 'ignore', timeout: 10_000 });
  return probe.status === 0;
}

function runInPidNamespace(cwd: string, file: string, engine: string): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--pid', '--fork', process.execPath, file], { cwd, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => { stdout += chunk.toString(); });
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }); });
  });
}


test('worker engines in a PID namespace without its own /proc keep each other\'s fds', { timeout: 300_000 }, async (t) => {
  if (!canUnsharePid()) return t.skip('cannot make a PID namespace here (unshare --pid needs root or user namespaces)');
  const installed = await installPackedTarball();
  t.after(() => rmSync(installed.work, { recursive: true, force: true }));
  const file = join(installed.consumer, 'pid-namespace-app.mjs');
  writeFileSync(file, APP);
  const outcomes: string[] = [];
  for (const engine of ['io_uring', 'threads', 'io_uring', 'threads']) {
    const result = await runInPidNamespace(installed.consumer, file, engine);
    let lost = `(no report; stderr: ${result.stderr.slice(0, 600)})`;
    if (result.stdout !== '') {
      const report = JSON.parse(result.stdout) as { pid: number; before: string[]; after: string[]; reads: number };
      assert.equal(report.pid, 1, 'the app runs as pid 1 of its namespace');
      lost = JSON.stringify(report.before.filter((entry) => !report.after.includes(entry)));
      assert.equal(report.reads, 500);
    }
    outcomes.push(`${engine}: code ${String(result.code)} signal ${String(result.signal)}, A's engine fds and mappings gone after B's start: ${lost}`);
  }
  assert.deepEqual(outcomes.filter((line) => !line.endsWith('code 0 signal null, A\'s engine fds and mappings gone after B\'s start: []')), [], outcomes.join('\n'));
});
