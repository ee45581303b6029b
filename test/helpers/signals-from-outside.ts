/**
 * A child process that receives a signal with receiveSignals, and a parent that sends it that
 * signal as another program would (kill(2): for the whole process), for the receiveSignals tests
 * of signals from outside.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** How many signals {@link sendFromOutside} sends, 5 ms apart. */
export const SENT = 20;

const child = (signo: number): string => `
import { receiveSignals } from ${JSON.stringify(new URL('../../index.ts', import.meta.url).href)};
let received = 0;
const registration = receiveSignals(${signo}, () => { received++; });
process.stdout.write('ready\\n');
process.stdin.on('data', () => {
  // The parent has sent its signals: give the last ones a turn to arrive.
  setTimeout(() => { registration.dispose(); process.stdout.write(JSON.stringify({ received })); process.exit(0); }, 300);
});
`;

/**
 * sendFromOutside - run the child, send it `signo` {@link SENT} times once it is ready, and report
 * how it ended: its exit code and signal, and its report (how often its handler ran), empty when
 * it died first.
 */
export function sendFromOutside(signo: number): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-rx-kill-'));
  const file = join(dir, 'child.mts');
  writeFileSync(file, child(signo));
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
    proc.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (!stdout.startsWith('ready\n') || stdout.length !== 'ready\n'.length) return;
      let sent = 0;
      const tick = setInterval(() => {
        // process.kill(pid, n): kill(2), a signal for the whole process, as a shell's kill sends.
        try { process.kill(proc.pid as number, signo); } catch { /* it ended */ }
        if (++sent === SENT) {
          clearInterval(tick);
          proc.stdin.end('done\n');
        }
      }, 5);
    });
    proc.stderr.on('data', (chunk: Buffer) => { stderr += chunk.toString(); });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      rmSync(dir, { recursive: true, force: true });
      resolve({ code, signal, stdout: stdout.replace('ready\n', ''), stderr });
    });
  });
}

