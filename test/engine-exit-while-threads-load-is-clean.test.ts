// process.exit() while cachemiss threads are still loading their modules exits with status 0
// (issue 14 item 3). Each child submits 8 aio_reads on an empty FIFO (8 threads start loading at
// once) and exits after a delay spread over the threads' start-up; before the fix about 1 run in
// 30-100 aborted with koffi's "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw" (exit
// code 134), because Node terminated a worker inside the addon's initialisation. The pool's exit
// handler now waits, bounded, until every started thread has loaded. A rare failure cannot be
// proven absent by a short run: this runs 40 children
// (docs/reliability.md gives the 100-run figures).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChild } from './helpers/child.js';

const RUNS = 40;
const AT_ONCE = 4;
const INDEX = new URL('../index.ts', import.meta.url).href;

function childSource(fifo: string, delayMs: number): string {
  return `
    import { openSync } from 'node:fs';
    import { Aiocb, aio_read } from ${JSON.stringify(INDEX)};
    const keep = [];
    for (let i = 0; i < 8; i++) {
      const cb = new Aiocb({ aio_fildes: openSync(${JSON.stringify(fifo)}, 'r+'), aio_buf: Buffer.alloc(16) });
      aio_read(cb); // the FIFO is empty: each read blocks on a cachemiss thread of its own
      keep.push(cb);
    }
    setTimeout(() => process.exit(0), ${delayMs});
  `;
}

test('process.exit while cachemiss threads load: every child exits 0, none aborts', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-exit-load-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const outcomes: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < RUNS) {
      const run = next++;
      // Delays from 0 to ~2.4 s: threads under tsx load in 0.3-3 s, so exits land before,
      // during and after loading.
      const result = await runChild(childSource(fifo, (run * 61) % 2400), 120_000);
      const fatal = result.stderr.includes('FATAL');
      outcomes.push(`${result.code ?? result.signal}${fatal ? ' FATAL' : ''}`);
    }
  };
  await Promise.all(Array.from({ length: AT_ONCE }, worker));
  const bad = outcomes.filter((outcome) => outcome !== '0');
  assert.deepEqual(bad, [], `${bad.length} of ${RUNS} children did not exit 0`);
});
