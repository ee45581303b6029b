/**
 * copyFile whose source is a FIFO that no process has open for writing. Node opens the source on
 * a libuv thread, so the open waits there and the event loop keeps turning. syslet-aio/fs's
 * copyFile and the package root's copyFileSyslet (hunt28) froze the whole JavaScript thread: the
 * call did not even return, timers and I/O stopped, and the main thread sat in `wait_for_partner`
 * (openat2 of the FIFO, made inline, without the O_NONBLOCK the whole-file reader adds for this
 * case — plugins/reader.ts). A server that copies a path a user named could be stopped this way.
 * Both engines. The copy to a FIFO destination and readFile/open/writeFile of a FIFO do not block.
 *
 * Each call runs in a child (under tsx) that measures the longest gap of a 10 ms interval over
 * the second after the call; the test opens the FIFO for writing 1.5 s after the child said it
 * calls, so a blocked child can go on and report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GAP_REPORT, GAP_TICKER, releaseAfterCalling, runGapChild } from './helpers/event-loop-gap.js';
import { scratch } from './helpers/fs-implementations.js';
const RELEASE_MS = 1500;

function childSource(call: string, fifo: string, dst: string): string {
  return `
    import * as sysletFs from ${JSON.stringify(new URL('../fs.ts', import.meta.url).href)};
    import * as nodeFs from 'node:fs/promises';
    import { Engine, copyFileSyslet } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
    ${GAP_TICKER}
    console.log('calling');
    const engine = ${call === 'copyFileSyslet' ? 'new Engine()' : 'null'};
    const copying = ${call === 'node' ? 'nodeFs.copyFile' : call === 'syslet-aio/fs' ? 'sysletFs.copyFile' : '((src, dst) => copyFileSyslet(engine, src, dst))'}(${JSON.stringify(fifo)}, ${JSON.stringify(dst)});
    copying.catch(() => {});
    setTimeout(() => { ${GAP_REPORT} process.exit(0); }, 1000);
  `;
}

async function longestGap(dir: string, call: string, engine: 'io_uring' | 'threads'): Promise<number> {
  const fifo = join(dir, `${call.replace(/\W/g, '')}-${engine}.fifo`);
  execFileSync('mkfifo', [fifo]);
  const script = join(dir, `${call.replace(/\W/g, '')}-${engine}.mts`);
  writeFileSync(script, childSource(call, fifo, `${fifo}.copy`));
  const release = releaseAfterCalling(fifo, RELEASE_MS);
  const { maxGap } = await runGapChild(script, engine, release.onOutput);
  release.stop();
  return maxGap;
}

for (const engine of ['io_uring', 'threads'] as const) {
  test(`copyFile from a FIFO with no writer keeps the event loop turning, as Node (${engine} engine)`, {
    timeout: 120_000,
  }, async (t) => {
    const dir = scratch(t, 'fs-copy-fifo');
    const node = await longestGap(dir, 'node', engine);
    assert.ok(node < 500, `node:fs/promises: the interval kept running (longest gap ${node} ms)`);
    for (const call of ['syslet-aio/fs', 'copyFileSyslet']) {
      const gap = await longestGap(dir, call, engine);
      assert.ok(gap < 500, `${call}: the interval keeps running while the copy waits for a writer (longest gap ${gap} ms)`);
    }
  });
}
