/**
 * A C-style program that blocks in aio_suspend gets a cachemiss thread for a request that needs
 * one, even when every thread the pool has started is blocked in another request: here one
 * aio_read per core on empty pipes (each holds a thread: a stream read runs serially, off the
 * ring) and then an aio_fsync of a regular file, waited for with aio_suspend(50 ms) in a loop,
 * as docs/posix-aio.md's example waits. glibc starts a helper thread per fd for it; the fsync
 * completes within milliseconds.
 *
 * Found by session 18's hunt: with 2 pipe reads on 2 cores the fsync stayed EINPROGRESS for as
 * long as the program waited (15 s measured, both engines, the packed package under plain node),
 * and completed at once when the program let the event loop run first. The pool starts at most
 * one thread per core at a time (engine/pool-threads.ts grow()); the threads the pipe reads
 * started were still loading when the fsync was queued, so none more started, and the next
 * grow() comes from a loading thread's 'ready' message — an event the synchronous wait never
 * runs. Its look at loading threads (#checkLoading) only reaps ones that died.
 *
 * Runs in a child (a hang must fail the test, not the runner) on each engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { helperUrl } from './helpers/child.js';

const PACKAGE = new URL('../index.ts', import.meta.url).href;
const WAIT_MS = 8_000;

const CHILD = `
import { openSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Aiocb, aio_read, aio_fsync, aio_error, aio_suspend, EINPROGRESS, SIGEV_NONE, O_SYNC } from ${JSON.stringify(PACKAGE)};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};

const held = [];
for (let i = 0; i < availableParallelism(); i++) {
  const pipe = openPipe();
  const cb = new Aiocb({ aio_fildes: pipe.reader, aio_buf: Buffer.alloc(16), aio_nbytes: 16, aio_sigevent: { sigev_notify: SIGEV_NONE } });
  if (aio_read(cb) !== 0) throw new Error('aio_read of a pipe');
  held.push(pipe, cb);
}
const path = join(process.argv[2], 'synced');
writeFileSync(path, 'abc');
const sync = new Aiocb({ aio_fildes: openSync(path, 'r+'), aio_sigevent: { sigev_notify: SIGEV_NONE } });
const started = performance.now();
if (aio_fsync(O_SYNC, sync) !== 0) throw new Error('aio_fsync');
while (aio_error(sync) === EINPROGRESS && performance.now() - started < ${WAIT_MS}) aio_suspend([sync], 1, { tv_sec: 0, tv_nsec: 50_000_000 });
process.stdout.write(JSON.stringify({ status: aio_error(sync), ms: Math.round(performance.now() - started) }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`aio_suspend gets a thread for an aio_fsync queued behind a blocked pipe read per core (${engine} engine)`, { timeout: 60_000 }, (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-fsync-behind-pipes-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const script = join(dir, 'child.mts');
    writeFileSync(script, CHILD);
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (engine === 'threads') env.SYSLET_AIO_ENGINE = 'threads';
    else delete env.SYSLET_AIO_ENGINE;
    const child = spawnSync(process.execPath, ['--import', 'tsx', script, dir], {
      encoding: 'utf8', timeout: 40_000, cwd: fileURLToPath(new URL('..', import.meta.url)), env,
    });
    assert.equal(child.status, 0, `child ended ${child.status} ${child.signal}: ${child.stderr.slice(-2000)}`);
    const report = JSON.parse(child.stdout) as { status: number; ms: number };
    assert.equal(report.status, 0, `the aio_fsync was still ${report.status} (EINPROGRESS is 115) after ${report.ms} ms of aio_suspend`);
  });
}
