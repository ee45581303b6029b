/**
 * process.setgid() (and setuid, setgroups, initgroups: every glibc set*id call) returns while a
 * cachemiss thread is alive, as it does while libuv's threads are (Node: 1 ms with a pool thread
 * blocked in read(2) of an empty FIFO).
 *
 * Why it can hang: POSIX credentials are per process, so glibc makes every thread change them —
 * `__nptl_setxid` sends each thread its internal SIGSETXID (33) and waits until all have run the
 * handler. A thread that blocked signal 33 with a raw rt_sigprocmask never runs it, and the
 * set*id call waits for ever. (glibc's own sigprocmask/pthread_sigmask never block 32 or 33,
 * which is why libuv's threads, blocking everything, do not hang it.)
 *
 * hunt25 (session 25), from the packed package: one aio.read of a FIFO (so a cachemiss thread),
 * the writer's bytes, the read done, then setgid(getgid()): never returned (killed at 10 s and at
 * 40 s, both engines); the cachemiss threads showed `SigPnd: 0000000100000000`. Fixed by leaving
 * GLIBC_RESERVED_SIGNALS out of the threads' mask (engine/cachemiss-worker.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const child = `
import { execFileSync } from 'node:child_process';
import { mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aio } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const dir = mkdtempSync(join(tmpdir(), 'syslet-setgid-'));
const fifo = join(dir, 'fifo');
execFileSync('mkfifo', [fifo]);
const fd = openSync(fifo, 'r+');
rmSync(dir, { recursive: true });
// An empty FIFO: the read blocks, on a cachemiss thread on either engine; the thread stays kept.
const read = aio.read(fd, Buffer.alloc(16), 0);
setTimeout(() => writeSync(fd, 'hello'), 200);
const bytes = await read;
const started = performance.now();
process.setgid(process.getgid());
process.stdout.write(JSON.stringify({ bytes, setgidMs: Math.round(performance.now() - started) }));
process.exit(0);
`;


for (const engine of ['io_uring', 'threads'] as const) {
  test(`process.setgid() returns while a cachemiss thread is alive (${engine} engine)`, { timeout: 30_000 }, async () => {
    const result = await runChild(child, 10_000, { env: { SYSLET_AIO_ENGINE: engine } });
    assert.equal(result.timedOut, false, `setgid did not return in 10 s; stderr: ${result.stderr.slice(0, 300)}`);
    assert.equal(result.code, 0, result.stderr.slice(0, 300));
    const outcome = JSON.parse(result.stdout) as { bytes: number; setgidMs: number };
    assert.equal(outcome.bytes, 5);
    assert.ok(outcome.setgidMs < 1_000, `setgid took ${outcome.setgidMs} ms`);
  });
}
