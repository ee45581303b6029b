/**
 * readFile of a FIFO, and FileHandle.read of one, from a working directory that has been removed,
 * wait for the writer and give its bytes, as node:fs/promises's do. No cachemiss thread can
 * start there (a Worker's bootstrap fails in uv_cwd with ENOENT). On the io_uring engine neither
 * read needs one: readFile's open and reads go to the ring, and FileHandle.read's poll (the FIFO
 * was opened O_NONBLOCK, so a plain read would answer 0 before the writer comes) is a ppoll of
 * one fd, which the ring makes as IORING_OP_POLL_ADD. The threads engine polls on a cachemiss
 * thread: there both reads reject with ENOENT 'read' (kept as a todo).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FS_MODULE = fileURLToPath(new URL('../fs.ts', import.meta.url));

const CHILD = `
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
const sysletFs = await import(process.env.FS_MODULE);
const out = {};
for (const [side, fs] of [['node', nodeFs], ['syslet', sysletFs]]) {
  const base = mkdtempSync('/tmp/syslet-deleted-cwd-fifo-');
  execFileSync('mkfifo', [base + '/p']);
  execFileSync('mkfifo', [base + '/q']);
  mkdirSync(base + '/cwd');
  process.chdir(base + '/cwd');
  rmSync(base + '/cwd', { recursive: true });
  setTimeout(() => spawn('sh', ['-c', 'echo hello > ' + base + '/p; echo world > ' + base + '/q'], { stdio: 'ignore' }), 300);
  const seen = [];
  const timer = () => new Promise((_, reject) => setTimeout(() => reject(new Error('no answer in 5 s')), 5000).unref());
  try {
    seen.push(String(await Promise.race([fs.readFile(base + '/p'), timer()])));
  } catch (error) {
    seen.push(error.code + ' ' + error.syscall);
  }
  try {
    const handle = await fs.open(base + '/q');
    const { bytesRead, buffer } = await Promise.race([handle.read(Buffer.alloc(16), 0, 16, null), timer()]);
    seen.push(buffer.toString('utf8', 0, bytesRead));
    await handle.close();
  } catch (error) {
    seen.push(error.code + ' ' + error.syscall);
  }
  process.chdir('/');
  rmSync(base, { recursive: true });
  out[side] = seen;
}
process.stdout.write(JSON.stringify(out), () => process.exit(0));
`;

const THREADS_ONLY = process.env.SYSLET_AIO_ENGINE === 'threads'
  ? 'the threads engine polls a FIFO on a cachemiss thread, which cannot start in a deleted cwd (the pool answers -ENOENT)'
  : false;

test('FIFO reads from a deleted cwd wait for the writer, as node:fs/promises does', { todo: THREADS_ONLY }, () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { env: { ...process.env, FS_MODULE }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  const { node, syslet } = JSON.parse(child.stdout) as { node: string[]; syslet: string[] };
  assert.deepEqual(node, ['hello\n', 'world\n']);
  assert.deepEqual(syslet, node);
});
