/**
 * readFile of a file on a FUSE mount whose server never answers OPEN (hung, as hunt28's was)
 * leaves the event loop turning: the open waits on a cachemiss thread, not on the JavaScript
 * thread (engine/remote-mounts.ts), and when the mount goes away the call ends with the error
 * the kernel gives its waiter. Before the fix the child's JavaScript thread sat in the open
 * (request_wait_answer) and never reported at all.
 *
 * The child walks the path with node:fs first (LOOKUP and GETATTR are answered), then starts a
 * 10 ms interval and syslet-aio/fs readFile, and reports the longest gap after 1.5 s. The test
 * then ends the daemon (its own pid) and detaches the mount, which releases the waiting thread
 * (a process with a thread waiting in a request the daemon has read cannot even exit before);
 * it does so after 20 s at the latest whatever the child said, so that nothing hangs. Both
 * engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, runGapChild } from './helpers/event-loop-gap.js';
import { FUSE_OP, fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const REPORT_AFTER_MS = 1500;

function childSource(file: string): string {
  return `
    import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
    import * as nodeFs from 'node:fs/promises';
    await nodeFs.lstat(${JSON.stringify(file)});
    ${GAP_TICKER}
    let outcome = 'pending';
    sysletFs.readFile(${JSON.stringify(file)}).then(() => { outcome = 'read'; }, (error) => { outcome = error.code; });
    setTimeout(() => {
      ${GAP_REPORT}
      console.log(JSON.stringify({ outcome }));
      process.exit(0);
    }, ${REPORT_AFTER_MS});
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`readFile on a FUSE mount whose server never answers OPEN leaves the event loop turning (${engine} engine)`, { skip: fuseSkipReason(), timeout: 120_000 }, async (t) => {
    // Unmounted (and the daemon ended) before the directory goes, also when an assertion failed.
    const mounted = await slowFuseForTest(t, 0, [FUSE_OP.OPEN]);
    if (mounted === undefined) return;
    const { dir, fuse } = mounted;
    // Whatever the child says (or if it says nothing: its JavaScript thread waits in the open), the
    // mount goes after 20 s, and with it the wait.
    const deadline = setTimeout(() => void fuse.stop(), 20_000);
    const script = join(dir, 'child.mts');
    writeFileSync(script, childSource(join(fuse.mount, 'a.txt')));
    const { lines, stderr, maxGap } = await runGapChild(script, engine, (stdout) => {
      // The child has measured: release its waiting thread, so that it can exit.
      if (stdout.includes('"outcome"')) void fuse.stop();
    });
    clearTimeout(deadline);
    const outcome = (JSON.parse(lines.at(-1) ?? '{}') as { outcome?: string }).outcome;
    assert.equal(outcome, 'pending', `the open still waits for the server when the child reports: ${lines.join('\n')} ${stderr.slice(0, 1500)}`);
    assert.ok(maxGap < 1000, `the event loop kept turning while the open waited (longest gap ${maxGap} ms over ${REPORT_AFTER_MS} ms)`);
  });
}
