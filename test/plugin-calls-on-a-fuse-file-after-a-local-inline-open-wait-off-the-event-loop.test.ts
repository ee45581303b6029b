/**
 * A chain that opened a local file inline still makes its calls on a FUSE file off the
 * JavaScript thread. Within one inline run the engine skips the remote-mount check (a statx) of
 * an fd the run's own open found local (engine/remote-mounts.ts rememberLocalFd): that memory
 * must cover that fd only, and only while the number still names that file. Two chains, on a
 * FUSE server answering every request after 1.5 s (helpers/fuse-slow.ts):
 *
 * - `given`: open a local file inline, then fstat an fd on the FUSE mount the program opened
 *   (another number than the one remembered);
 * - `dup3`: open a local file inline, dup3 the FUSE fd onto that very number, then fstat it (the
 *   remembered number now names the FUSE file; without the dup3 forgetting it, the fstat's
 *   GETATTR waited 1.5 s on the JavaScript thread).
 *
 * Each fstat must answer the FUSE file's size (it did reach that file, and asked the server: the
 * chain takes the server's time) while the longest gap of a 10 ms interval stays far below the
 * server's delay. Both engines.
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
/** b.txt on the FUSE mount: 64 KiB (helpers/fuse-slow.ts). */
const REMOTE_SIZE = 65536;

function childSource(local: string, remote: string, variant: 'given' | 'dup3'): string {
  const index = JSON.stringify(new URL('../index.ts', import.meta.url).href);
  const statFd = variant === 'dup3' ? "{ result: 'open' }" : "{ param: 'remote' }";
  return `
    import { openSync } from 'node:fs';
    import { Engine, definePlugin, AT_FDCWD, O_RDONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from ${index};
    // Opened by Node before the ticker starts (its open waits for the server).
    const remote = openSync(${JSON.stringify(remote)}, 'r');
    const chain = definePlugin({
      name: 'test.local-open-then-fuse-fstat',
      params: { path: 'path', remote: 'fd', stat: 'out' },
      atoms: [
        { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
        ${variant === 'dup3' ? "{ id: 'dup', call: 'dup3', args: [{ param: 'remote' }, { result: 'open' }, O_CLOEXEC], flags: SYSLET_STOP_ON_NEGATIVE }," : ''}
        { id: 'stat', call: 'fstat', args: [${statFd}, { param: 'stat' }] },
        { id: 'close', call: 'close', args: [{ result: 'open' }] },
      ],
    });
    const engine = new Engine();
    const params = { path: ${JSON.stringify(local)}, remote, stat: 144 };
    // Once before the ticker: the dcache holds the local path, the cachemiss threads are started.
    await chain.run(engine, params);
    ${GAP_TICKER}
    const started = performance.now();
    const done = await chain.run(engine, params);
    const ms = Math.round(performance.now() - started);
    ${GAP_REPORT}
    const size = Number(Buffer.from(done.outputs.stat).readBigInt64LE(48));
    console.log(JSON.stringify({ ms, mode: done.mode, open: Number(done.byId.open.result), stat: Number(done.byId.stat.result), size }));
    await engine.close();
    process.exit(0);
  `;
}

const skip = fuseSkipReason();

for (const engine of ['io_uring', 'threads'] as const) {
  for (const variant of ['given', 'dup3'] as const) {
    test(`a chain's fstat of a FUSE file after its own local inline open waits off the event loop (${variant}, ${engine} engine)`, { skip, timeout: 120_000 }, async (t) => {
      // Unmounted (and the daemon ended) before the directory goes, also when an assertion failed.
      const mounted = await slowFuseForTest(t, DELAY_MS);
      if (mounted === undefined) return;
      const { dir, fuse } = mounted;
      const local = join(dir, 'local.txt');
      writeFileSync(local, 'local\n');
      const script = join(dir, `child-${variant}-${engine}.mts`);
      writeFileSync(script, childSource(local, join(fuse.mount, 'b.txt'), variant));
      const { lines, maxGap, stderr } = await runGapChild(script, engine, undefined, SLOW_FUSE_CHILD_MS);
      const reportLine = lines.find((line) => line.includes('"size"'));
      assert.ok(reportLine !== undefined, `the child reported: ${lines.join('\n')} ${stderr.slice(0, 1500)}`);
      const report = JSON.parse(reportLine) as { ms: number; mode: string; open: number; stat: number; size: number };
      assert.ok(report.open >= 0, `the local open answered ${report.open}`);
      assert.equal(report.stat, 0);
      assert.equal(report.size, REMOTE_SIZE, 'the fstat named the FUSE file');
      assert.ok(report.ms >= DELAY_MS * 0.9, `the chain asked the server (it took ${report.ms} ms)`);
      assert.notEqual(report.mode, 'inline', 'the chain handed off');
      assert.ok(maxGap < GAP_LIMIT_MS, `the event loop kept turning while the chain waited ${report.ms} ms for the server (longest gap ${maxGap} ms)`);
    });
  }
}
