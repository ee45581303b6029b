/**
 * Calls on a FUSE file system whose server is slow wait off the JavaScript thread, as Node's do
 * on its libuv threads. A cached path is no promise that a call does not block there: the open
 * sends the server an OPEN, a stat a GETATTR (the attributes time out at once here), a close a
 * FLUSH, a read past the cached size a GETATTR, and the caller waits in request_wait_answer.
 * Made inline, each froze the event loop for the server's whole delay (fusehang29, 300 ms a
 * request: stat 301 ms, open 602 ms, readFile 923-1,882 ms, FileHandle.read 638 ms, the
 * readFileSyslet helper 907-1,551 ms). Now a file on a remote mount (engine/remote-mounts.ts)
 * is opened, stat'ed, read and closed on a cachemiss thread or io-wq.
 *
 * Each call runs in a child (helpers/fuse-gap.ts) against a server that answers every request
 * after 1.5 s (helpers/fuse-slow.ts, mounted in the test's scratch directory and unmounted after
 * it): the call must take the server's time (it did ask the server) while the longest gap of a
 * 10 ms interval stays far below it. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fuseGap, type FuseCaller } from './helpers/fuse-gap.js';
import { fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const DELAY_MS = 1500;
/** Below a request's 1.5 s (a call made inline shows a gap as long as its wait), above a loaded machine's noise (646 ms seen at load 22). */
const GAP_LIMIT_MS = 1000;
const CALLS: readonly [FuseCaller, string][] = [
  ['syslet', 'stat'], ['syslet', 'lstat'], ['syslet', 'access'], ['syslet', 'readlink'], ['syslet', 'open'],
  ['syslet', 'fh.stat'], ['syslet', 'fh.read'], ['syslet', 'fh.close'], ['syslet', 'readFile'], ['syslet', 'readdir'],
  ['plugin', 'readFileSyslet'],
];

const skip = fuseSkipReason();

for (const engine of ['io_uring', 'threads'] as const) {
  for (const [caller, call] of CALLS) {
    test(`${caller === 'plugin' ? call : `syslet-aio/fs ${call}`} on a slow FUSE mount waits off the event loop (${engine} engine)`, { skip, timeout: 120_000 }, async (t) => {
      // Unmounted (and the daemon ended) before the directory goes, also when an assertion failed.
      const mounted = await slowFuseForTest(t, DELAY_MS);
      if (mounted === undefined) return;
      const { dir, fuse } = mounted;
      const { maxGap, ms, outcome } = await fuseGap(fuse.mount, dir, caller, call, engine);
      assert.equal(outcome, 'ok', `${call} answers as on any file system`);
      assert.ok(ms >= DELAY_MS * 0.9, `${call} asked the server (it took ${ms} ms)`);
      assert.ok(maxGap < GAP_LIMIT_MS, `the event loop kept turning while ${call} waited ${ms} ms for the server (longest gap ${maxGap} ms)`);
    });
  }
}
