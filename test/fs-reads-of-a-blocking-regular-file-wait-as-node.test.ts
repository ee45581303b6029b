/**
 * A regular file whose read blocks — tracefs's trace_pipe (S_IFREG, size 0) with nothing traced,
 * like /proc/kmsg with nothing logged — is read as Node reads it: readFile and FileHandle.read
 * wait for data. The syslet open is tried inline with O_NONBLOCK added (a FIFO's open would wait
 * on the event loop) and cleared it only for FIFOs and devices; such a file honours the flag, so
 * both calls rejected at once with EAGAIN (hunt17, on io_uring and threads; Node waits).
 *
 * Node's own process cannot be the other side of this test: a process.exit() while its thread
 * pool is blocked in that read never returns (measured: Node 20.20 hangs). So the children are
 * syslet-aio/fs's only, and the check is Node's observable answer: still pending after 300 ms.
 * tracefs is mounted on a scratch directory for the test (root only); skipped without it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';

const ROOT = new URL('../', import.meta.url).href;

/** A trace_pipe to read: the system's, or one on tracefs mounted for the test (undefined: none). */
function tracePipe(): { pipe: string; unmount: () => void } | undefined {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    if (existsSync(join(dir, 'trace_pipe'))) return { pipe: join(dir, 'trace_pipe'), unmount: () => {} };
  }
  if (process.getuid?.() !== 0) return undefined;
  const dir = mkdtempSync(join(tmpdir(), 'syslet-tracefs-'));
  const mounted = spawnSync('mount', ['-t', 'tracefs', 'nodev', dir]);
  if (mounted.status !== 0 || !existsSync(join(dir, 'trace_pipe'))) {
    rmdirSync(dir);
    return undefined;
  }
  return { pipe: join(dir, 'trace_pipe'), unmount: () => { spawnSync('umount', [dir]); rmdirSync(dir); } };
}

const traced = tracePipe();

for (const engine of ['io_uring', 'threads']) {
  for (const call of ['readFile', 'FileHandle.read']) {
    test(`${call} of trace_pipe waits for data, as Node's (${engine})`, { skip: traced === undefined && 'no tracefs (not root, or the kernel has none)' }, async () => {
      assert.ok(traced !== undefined);
      const source = `
import { open, readFile } from '${ROOT}fs.ts';
const pipe = ${JSON.stringify(traced.pipe)};
const read = ${JSON.stringify(call)} === 'readFile'
  ? readFile(pipe).then((b) => 'read ' + b.length)
  : open(pipe).then((h) => h.read(Buffer.alloc(64), 0, 64, null)).then((r) => 'read ' + r.bytesRead);
const answer = await Promise.race([read.catch((e) => 'error ' + e.code), new Promise((r) => setTimeout(() => r('pending'), 300))]);
console.log(answer);
process.exit(0);
`;
      const child = await runChild(source, 20_000, engine === 'threads' ? { env: { SYSLET_AIO_ENGINE: 'threads' } } : {});
      assert.equal(child.timedOut, false, child.stderr);
      assert.equal(child.stdout.trim(), 'pending', child.stderr);
    });
  }
}

test.after(() => traced?.unmount());
