/**
 * appendFile (and writeFile) of a small file on a FUSE mount whose server is slow leaves the event
 * loop turning. On the io_uring engine the small write is two direct ring requests (OPENAT, WRITE:
 * io-wq makes both for a FUSE file) and then close(2) on the calling thread (fs/write-ring.ts): on
 * a FUSE file the kernel sends the server a FLUSH at close and waits for its answer, so that close
 * held the event loop for the server's whole delay (1,502 ms longest gap with a server answering
 * each request after 1.5 s). The close of a file on a remote mount (engine/remote-mounts.ts) is now
 * Node's, on libuv's pool.
 *
 * The test server refuses writes (EROFS, after its delay), so the call fails as Node's does — after
 * the open, the write and the close's FLUSH each waited for the server — and the longest gap of a
 * 10 ms interval must stay far below the server's delay. Both engines (the threads engine's chain
 * already closed off the thread).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuseGap } from './helpers/fuse-gap.js';
import { fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const DELAY_MS = 1500;
/** Below a request's 1.5 s (a close made inline shows a gap as long as its wait), above a loaded machine's noise. */
const GAP_LIMIT_MS = 1000;

const skip = fuseSkipReason();

for (const engine of ['io_uring', 'threads'] as const) {
  test(`syslet-aio/fs appendFile on a slow FUSE mount closes off the event loop (${engine} engine)`, { skip, timeout: 180_000 }, async (t) => {
    // Unmounted (and the daemon ended) before the directory goes, also when an assertion failed.
    const mounted = await slowFuseForTest(t, DELAY_MS);
    if (mounted === undefined) return;
    const { dir, fuse } = mounted;
    const { maxGap, ms, outcome } = await fuseGap(fuse.mount, dir, 'syslet', 'appendFile', engine, 90_000);
    assert.equal(outcome, 'EROFS', 'the server refuses the write, as it answers Node');
    assert.ok(ms >= DELAY_MS * 2 * 0.9, `appendFile asked the server (open, write: it took ${ms} ms)`);
    assert.ok(maxGap < GAP_LIMIT_MS, `the event loop kept turning while appendFile waited ${ms} ms for the server (longest gap ${maxGap} ms)`);
  });
}
