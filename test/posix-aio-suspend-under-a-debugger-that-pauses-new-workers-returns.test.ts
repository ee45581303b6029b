/**
 * aio_suspend returns under a debugger that attaches to worker threads as VS Code's does
 * (vscode-js-debug sends `NodeWorker.enable({ waitForDebuggerOnStart: true })`: each new Worker
 * waits at its start until the debugger, told of it through the main thread, resumes it).
 *
 * hunt25 (session 25), from the packed package under `node --inspect`, a CDP client doing what
 * js-debug does: aio_read of a FIFO written 0.5 s later, then the aio_suspend loop of
 * docs/posix-aio.md. On io_uring it never returned (killed at 15 s, 4 of 4 runs): the request
 * needed a new cachemiss thread, the thread waited for the debugger, and the debugger never heard
 * of it — the main thread slept in ppoll, running no JavaScript, so the announcement (an
 * interrupt of the main isolate) never ran. The same client without waitForDebuggerOnStart: 543
 * ms; `await aio.read`: 512 ms; the threads engine (its minThreads started before the wait): 500 ms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../', import.meta.url));

const TARGET = `
import { Aiocb, aio_read, aio_error, aio_return, aio_suspend, EINPROGRESS } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// The debugger sets __attached once it has enabled its domains.
const waited = Date.now();
while (!globalThis.__attached && Date.now() - waited < 15_000) await new Promise((resolve) => setTimeout(resolve, 20));
if (!globalThis.__attached) { process.stdout.write('no debugger'); process.exit(0); }
const dir = mkdtempSync(join(tmpdir(), 'syslet-debugger-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const fd = openSync(fifo, 'r+');
// The writer is another process: this thread is about to block.
spawn('sh', ['-c', 'sleep 0.5; printf abcd > ' + fifo], { stdio: 'ignore' });
const started = Date.now();
const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_offset: 0 });
aio_read(cb);
while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, null);
rmSync(dir, { recursive: true, force: true });
// The last thing it does: the test kills it once this is out.
process.stdout.write(JSON.stringify({ read: aio_return(cb), ms: Date.now() - started }));
`;

// A CDP client doing what vscode-js-debug does on attach: runtime and debugger on, workers
// auto-attached and paused at start, each resumed once it is announced.
const DEBUGGER = `
const port = Number(process.argv[2]);
const targets = await (await fetch('http://127.0.0.1:' + port + '/json/list')).json();
const ws = new WebSocket(targets[0].webSocketDebuggerUrl);
let id = 0;
const send = (method, params = {}) => ws.send(JSON.stringify({ id: ++id, method, params }));
ws.onmessage = (event) => {
  const message = JSON.parse(event.data);
  if (message.method === 'NodeWorker.attachedToWorker') {
    const sessionId = message.params.sessionId;
    setTimeout(() => send('NodeWorker.sendMessageToWorker', { sessionId, message: JSON.stringify({ id: 1, method: 'Runtime.runIfWaitingForDebugger' }) }), 50);
  }
};
ws.onopen = () => {
  send('Runtime.enable');
  send('Debugger.enable');
  send('NodeWorker.enable', { waitForDebuggerOnStart: true });
  send('Runtime.runIfWaitingForDebugger');
  setTimeout(() => send('Runtime.evaluate', { expression: 'globalThis.__attached = true' }), 300);
};
`;

interface Report { stdout: string; timedOut: boolean }

/**
 * Run the target under the debugger until it reports (or 40 s pass), then kill both: Node itself
 * may crash (SIGSEGV) at an exit under an attached debugger whose process has workers (10 runs of
 * a program of one Worker and no library: 2-5 crashed), so the report, not the exit, is the answer.
 */
function debugTarget(dir: string, engine: string): Promise<Report> {
  const target = join(dir, 'target.mts');
  const client = join(dir, 'debugger.mjs');
  writeFileSync(target, TARGET);
  writeFileSync(client, DEBUGGER);
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--inspect=127.0.0.1:0', '--import', 'tsx', target], { cwd: ROOT, env: { ...process.env, SYSLET_AIO_ENGINE: engine }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let debuggerProc: ReturnType<typeof spawn> | null = null;
    let settled = false;
    const finish = (timedOut: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      proc.kill('SIGKILL');
      debuggerProc?.kill('SIGKILL');
      resolve({ stdout, timedOut });
    };
    const timer = setTimeout(() => finish(true), 40_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.endsWith('}') || stdout === 'no debugger') finish(false);
    });
    proc.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const port = /ws:\/\/127\.0\.0\.1:(\d+)\//.exec(stderr)?.[1];
      if (port !== undefined && debuggerProc === null) debuggerProc = spawn(process.execPath, ['--experimental-websocket', client, port], { stdio: 'ignore' });
    });
    proc.on('close', () => finish(false));
  });
}

test('aio_suspend returns under a debugger that pauses new workers until it resumes them', { timeout: 120_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-debugger-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const outcomes: string[] = [];
  for (const engine of ['io_uring', 'threads']) {
    const report = await debugTarget(dir, engine);
    if (report.stdout === 'no debugger') return t.skip('the CDP client could not attach (no WebSocket client in this Node?)');
    outcomes.push(`${engine}: ${report.timedOut ? 'no answer in 40 s' : `answered ${report.stdout}`}`);
  }
  assert.deepEqual(outcomes.filter((line) => !/: answered \{"read":4,"ms":\d+\}$/.test(line)), [], outcomes.join('\n'));
});
