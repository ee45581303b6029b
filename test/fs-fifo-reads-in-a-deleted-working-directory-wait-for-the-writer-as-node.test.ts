/**
 * readFile of a FIFO, and FileHandle.read of one, from a working directory that has been removed,
 * wait for the writer and give its bytes, as node:fs/promises's do. No cachemiss thread can
 * start there (a Worker's bootstrap fails in uv_cwd with ENOENT), and syslet-aio/fs's FIFO reads
 * poll on one (plugins/reader-rest.ts pollRead for readFile; fs/handle-io.ts for a handle this
 * layer opened O_NONBLOCK): the pool answers the poll -ENOENT, and both calls reject with
 * ENOENT 'read' at once, on both engines. A fallback to Node's read is not enough for the handle:
 * its FIFO was opened O_NONBLOCK with no writer, so a plain read answers 0 (end of file) before
 * the writer comes; the wait needs a way that takes no thread.
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

test('FIFO reads from a deleted cwd wait for the writer, as node:fs/promises does', { todo: 'FileHandle.read of a FIFO opened O_NONBLOCK polls on a cachemiss thread, which cannot start in a deleted cwd (the pool answers -ENOENT); readFile waits as Node since its open and reads go to the io_uring ring (session 21; the threads engine polls on a thread too)' }, () => {
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', CHILD], { env: { ...process.env, FS_MODULE }, encoding: 'utf8', timeout: 60_000 });
  assert.equal(child.status, 0, child.stderr);
  const { node, syslet } = JSON.parse(child.stdout) as { node: string[]; syslet: string[] };
  assert.deepEqual(node, ['hello\n', 'world\n']);
  assert.deepEqual(syslet, node);
});
