/**
 * The Promise twins' first request of a process on fd -1 (or any fd whose number a fresh pooled
 * aiocb's record happened to hold). The pool (shim/promise-pool.ts) skips the aio_fildes store
 * when the aiocb served that fd last, and judged that by the request record's copy of the fd,
 * which starts at -1 — while a new aiocb's struct says 0. So `aio.read(-1, buf, 0)` read stdin:
 * resolved 0 with an empty stdin, took the bytes of a piped one, and never settled on a pipe
 * with no data (the CI run of session 28 hung in reliability-aio-bad-input). EBADF, as before
 * the pool, and stdin untouched.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { scratch } from './helpers/fs-implementations.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));

test('the twins\' first requests on fd -1 answer EBADF and leave stdin alone', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'twins-bad-fd');
  const child = join(dir, 'child.mts');
  writeFileSync(
    child,
    `import { readSync } from 'node:fs';
import { aio } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const out = {};
for (const [name, call] of [['read', () => aio.read(-1, Buffer.alloc(16), 0)], ['read again', () => aio.read(-1, Buffer.alloc(16), 0)], ['write', () => aio.write(-1, Buffer.from('x'), 0)]]) {
  try { out[name] = 'resolved ' + await call(); } catch (e) { out[name] = e.code; }
}
const left = Buffer.alloc(64);
out.stdin = left.toString('latin1', 0, readSync(0, left, 0, 64, null));
console.log(JSON.stringify(out));
`,
  );
  const proc = spawn(process.execPath, ['--import', 'tsx', child], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  proc.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Bytes wait in the pipe and it stays open: a read of stdin would take them, or never settle.
  proc.stdin.write('STDIN-DATA');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => proc.on('close', resolve));
  clearTimeout(timer);
  assert.equal(code, 0, `exit ${String(code)} (killed if it hung): ${stderr}`);
  const seen = JSON.parse(stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(seen, { read: 'EBADF', 'read again': 'EBADF', write: 'EBADF', stdin: 'STDIN-DATA' });
});
