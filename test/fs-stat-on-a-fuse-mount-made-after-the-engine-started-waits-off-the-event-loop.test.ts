/**
 * A FUSE mount made while the program runs is seen by the next inline call: the engine's list
 * of remote mounts (engine/remote-mounts.ts) is read again when /proc/self/mountinfo says it
 * changed (a zero-timeout poll, POLLPRI), not only at the first call. The child makes a stat
 * on a local file first (the list is read then, with no FUSE mount in it), says so, and waits;
 * the test mounts a slow FUSE file system (every request answered after 1.5 s); the child
 * then stats a file on it, with a 10 ms interval ticking. The stat must wait for the server
 * off the JavaScript thread. Both engines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, runGapChild } from './helpers/event-loop-gap.js';
import { fuseScratch, fuseSkipReason, removeFuseScratch, startSlowFuse, type SlowFuse } from './helpers/fuse-slow.js';

const DELAY_MS = 1500;
const GAP_LIMIT_MS = 1000;

function childSource(marker: string): string {
  return `
    import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
    import * as nodeFs from 'node:fs/promises';
    import { existsSync, readFileSync } from 'node:fs';
    await sysletFs.stat(${JSON.stringify(new URL('../package.json', import.meta.url).pathname)});
    console.log('ready');
    while (!existsSync(${JSON.stringify(marker)})) await new Promise((resolve) => setTimeout(resolve, 20));
    const file = readFileSync(${JSON.stringify(marker)}, 'utf8') + '/a.txt';
    await nodeFs.lstat(file);
    ${GAP_TICKER}
    const started = performance.now();
    const size = (await sysletFs.stat(file)).size;
    const ms = Math.round(performance.now() - started);
    ${GAP_REPORT}
    console.log(JSON.stringify({ ms, size }));
    process.exit(0);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`a stat on a FUSE mount made after the engine's first call waits off the event loop (${engine} engine)`, { skip: fuseSkipReason(), timeout: 120_000 }, async (t) => {
    const dir = fuseScratch();
    const marker = join(dir, 'mounted');
    let fuse: SlowFuse | string | undefined;
    let mounting: Promise<void> | undefined;
    t.after(async () => {
      await mounting;
      if (fuse !== undefined && typeof fuse !== 'string') await fuse.stop();
      removeFuseScratch(dir);
    });
    // Whether mount(2) of type fuse is allowed here at all (a mount made and ended at once).
    const probe = await startSlowFuse(dir, 0);
    if (typeof probe === 'string') return t.skip(probe);
    await probe.stop();
    const script = join(dir, 'child.mts');
    writeFileSync(script, childSource(marker));
    const { lines, stderr, maxGap } = await runGapChild(script, engine, (stdout) => {
      if (mounting !== undefined || !stdout.includes('ready')) return;
      mounting = (async () => {
        fuse = await startSlowFuse(dir, DELAY_MS);
        // (Refused now though allowed a moment ago: the child's stat of the scratch directory's a.txt fails, and the test says why.)
        writeFileSync(marker, typeof fuse === 'string' ? dir : fuse.mount);
      })();
    });
    if (typeof fuse === 'string') return t.skip(fuse);
    const report = `the child reported: ${lines.join('\n')} ${stderr.slice(0, 1500)}`;
    const outcome = JSON.parse(lines.at(-1) ?? '{}') as { ms?: number; size?: number };
    assert.equal(outcome.size, 'hello fuse\n'.length, report);
    assert.ok((outcome.ms ?? 0) >= DELAY_MS * 0.9, `the stat asked the server (${outcome.ms} ms)`);
    assert.ok(maxGap < GAP_LIMIT_MS, `the event loop kept turning while the stat waited ${outcome.ms} ms (longest gap ${maxGap} ms)`);
  });
}
