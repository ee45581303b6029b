/**
 * An inline open whose walk starts on a FUSE mount — a relative path from a cwd or a dirfd on it
 * — waits off the JavaScript thread. With a remote mount present, an inline open is made with
 * RESOLVE_NO_XDEV when the mount its walk starts on is local (engine/remote-mounts.ts
 * openat2OffRemote): it then cannot reach another mount, so it opens a local file or fails in the
 * walk. That holds only if the start really is local: the cwd and a dirfd are asked each time
 * (a statx), never assumed. Without that, RESOLVE_NO_XDEV kept the walk on the FUSE mount, the
 * dcache held the name (the server's entries are valid for an hour), and the open's FUSE OPEN
 * waited for the server on the event loop's thread.
 *
 * Two calls, on a server answering every request after 1.5 s (helpers/fuse-slow.ts):
 * a chain opens 'a.txt', reads it and closes it,
 * - `cwd`: relative to the cwd (AT_FDCWD), after process.chdir() into the mount;
 * - `dirfd`: relative to an fd of the mount's directory.
 * Each must reach the file (its bytes) and take the server's time, while the longest
 * gap of a 10 ms interval stays far below the server's delay. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runGapChild, GAP_REPORT, GAP_TICKER } from './helpers/event-loop-gap.js';
import { SLOW_FUSE_CHILD_MS } from './helpers/fuse-gap.js';
import { fuseSkipReason, slowFuseForTest } from './helpers/fuse-slow.js';

const DELAY_MS = 1500;
/** Below a request's 1.5 s (a call made inline shows a gap as long as its wait), above a loaded machine's noise. */
const GAP_LIMIT_MS = 1000;
/** a.txt on the FUSE mount (helpers/fuse-slow.ts). */
const REMOTE_TEXT = 'hello fuse\n';

function childSource(mount: string, start: 'cwd' | 'dirfd'): string {
  const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);
  return `
    import { openSync } from 'node:fs';
    import { Engine, definePlugin, AT_FDCWD, O_RDONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from ${url('../index.ts')};
    const chain = definePlugin({
      name: 'test.open-relative-to-a-fuse-directory',
      params: { dir: 'fd', path: 'path', out: 'out' },
      atoms: [
        { id: 'open', call: 'openat', args: [{ param: 'dir' }, { param: 'path' }, O_RDONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
        { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'out' }, 64, 0] },
        { id: 'close', call: 'close', args: [{ result: 'open' }] },
      ],
    });
    const engine = new Engine();
    // Once before the ticker, by its absolute path: the dcache holds the name, and the cachemiss
    // threads are started from the repository (a worker started with its cwd on the mount asks
    // the server for each module it loads: 20 s).
    await chain.run(engine, { dir: AT_FDCWD, path: ${JSON.stringify(join(mount, 'a.txt'))}, out: 64 });
    ${start === 'cwd' ? `process.chdir(${JSON.stringify(mount)});
    const dir = AT_FDCWD;` : `// Opened by Node before the ticker starts (its OPENDIR waits for the server).
    const dir = openSync(${JSON.stringify(mount)}, 'r');`}
    const params = { dir, path: 'a.txt', out: 64 };
    ${GAP_TICKER}
    const started = performance.now();
    const done = await chain.run(engine, params);
    const ms = Math.round(performance.now() - started);
    ${GAP_REPORT}
    const read = Number(done.byId.read.result);
    const text = Buffer.from(done.outputs.out).subarray(0, Math.max(read, 0)).toString('latin1');
    console.log(JSON.stringify({ ms, mode: done.mode, open: Number(done.byId.open.result), text }));
    process.exit(0);
  `;
}

const skip = fuseSkipReason();

for (const engine of ['io_uring', 'threads'] as const) {
  for (const start of ['cwd', 'dirfd'] as const) {
    test(`an open relative to a ${start} on a slow FUSE mount waits off the event loop (${engine} engine)`, { skip, timeout: 120_000 }, async (t) => {
      // Unmounted (and the daemon ended) before the directory goes, also when an assertion failed.
      const mounted = await slowFuseForTest(t, DELAY_MS);
      if (mounted === undefined) return;
      const { dir, fuse } = mounted;
      const script = join(dir, `child-${start}-${engine}.mts`);
      writeFileSync(script, childSource(fuse.mount, start));
      const { lines, maxGap, stderr } = await runGapChild(script, engine, undefined, SLOW_FUSE_CHILD_MS);
      const reportLine = lines.find((line) => line.includes('"ms"'));
      assert.ok(reportLine !== undefined, `the child reported: ${lines.join('\n')} ${stderr.slice(0, 1500)}`);
      const report = JSON.parse(reportLine) as { ms: number; mode: string; open: number; text: string };
      assert.ok(report.open >= 0, `the open answered ${report.open}`);
      assert.equal(report.text, REMOTE_TEXT, 'the call reached the FUSE file');
      assert.ok(report.ms >= DELAY_MS * 0.9, `the call asked the server (it took ${report.ms} ms)`);
      assert.notEqual(report.mode, 'inline', 'the chain handed off');
      assert.ok(maxGap < GAP_LIMIT_MS, `the event loop kept turning while the call waited ${report.ms} ms for the server (longest gap ${maxGap} ms)`);
    });
  }
}
