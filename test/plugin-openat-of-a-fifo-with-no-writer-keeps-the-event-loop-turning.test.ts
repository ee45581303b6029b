/**
 * A chain whose openat opens a FIFO for reading that no process has open for writing. The open
 * waits in the kernel (fifo_open's wait_for_partner) until a writer comes; a syslet should wait
 * on a cachemiss thread and leave the event loop running. hunt28: a two-atom plugin (openat
 * O_RDONLY, read) froze the whole JavaScript thread on both engines — `run()` did not return, no
 * timer ran — because the inline probe of an open, openat2 with RESOLVE_CACHED, only keeps the
 * path walk in the dcache; opening the FIFO still waits. (O_WRONLY|O_CREAT opens skip the probe
 * and go to a thread; syslet-aio/fs's readFile opens O_NONBLOCK first for this reason —
 * plugins/reader.ts. copyFile has its own test.)
 *
 * The chain runs in a child (under tsx) that measures the longest gap of a 10 ms interval; the
 * test opens the FIFO for writing 1.5 s after the child said it calls, so a blocked child can go
 * on and report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, releaseAfterCalling, runGapChild } from './helpers/event-loop-gap.js';
import { scratch } from './helpers/fs-implementations.js';

const RELEASE_MS = 1500;

function childSource(fifo: string): string {
  return `
    import { Engine, definePlugin, AT_FDCWD, O_RDONLY, O_CLOEXEC, SYSLET_STOP_ON_NEGATIVE } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
    const readSome = definePlugin({
      name: 'test.fifo-read',
      params: { path: 'path', bytes: 'out' },
      atoms: [
        { id: 'open', call: 'openat', args: [AT_FDCWD, { param: 'path' }, O_RDONLY | O_CLOEXEC, 0], flags: SYSLET_STOP_ON_NEGATIVE },
        { id: 'read', call: 'read', args: [{ result: 'open' }, { param: 'bytes' }, { lengthOf: 'bytes' }] },
        { id: 'close', call: 'close', args: [{ result: 'open' }] },
      ],
    });
    const engine = new Engine();
    ${GAP_TICKER}
    console.log('calling');
    readSome.run(engine, { path: ${JSON.stringify(fifo)}, bytes: 16 }).catch(() => {});
    setTimeout(() => { ${GAP_REPORT} process.exit(0); }, 1000);
  `;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`a plugin's openat of a FIFO with no writer keeps the event loop turning (${engine} engine)`, {
    timeout: 60_000,
  }, async (t) => {
    const dir = scratch(t, 'plugin-open-fifo');
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const script = join(dir, 'child.mts');
    writeFileSync(script, childSource(fifo));
    const release = releaseAfterCalling(fifo, RELEASE_MS);
    const { maxGap } = await runGapChild(script, engine, release.onOutput);
    release.stop();
    assert.ok(maxGap < 500, `the interval keeps running while the open waits for a writer (longest gap ${maxGap} ms)`);
  });
}
