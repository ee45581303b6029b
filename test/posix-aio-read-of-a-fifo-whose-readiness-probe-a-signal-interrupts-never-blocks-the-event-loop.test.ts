// aio.read at the file position (position null) of a FIFO opened by its path: preadv2(RWF_NOWAIT)
// answers EOPNOTSUPP there (only pipe(2)'s ends take it), and the probe asks with a zero-timeout
// ppoll whether bytes are waiting, making the read inline when they are. A signal with a handler
// reaching the JavaScript thread during that ppoll makes it answer EINTR, and the probe took any
// answer but 0 for "ready": the read(2) was made inline on an empty FIFO and held the JavaScript
// thread until the writer wrote (hunt30: one event-loop gap per writer pause, 400 ms each). The
// read must be handed off and the event loop keep turning. The signal is stood in for by strace's
// EINTR on the child's JavaScript thread (helpers/interrupted-probe.ts); skipped without strace or
// where it cannot attach.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WAIT_FOR_GO, runOnInterruptedFifo } from './helpers/interrupted-probe.js';

const PIECES = ['x', 'x', 'x', 'END'];
/** The writer's pause before each piece: a read made inline shows as a gap this long. */
const PAUSE_MS = 1_000;

const script = (fifo: string): string => `
import { openSync, closeSync } from 'node:fs';
import { aio } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
${WAIT_FOR_GO}
const fd = openSync(${JSON.stringify(fifo)}, 'r');
await untilGo();
const buffer = Buffer.alloc(64);
let text = '';
let maxGap = 0;
let ticking;
for (;;) {
  const count = await aio.read(fd, buffer, { position: null });
  if (count === 0) break;
  text += buffer.toString('latin1', 0, count);
  // Timed from the first byte on: the start (the first cachemiss thread, JIT) is not the question.
  if (ticking === undefined) {
    let last = Date.now();
    ticking = setInterval(() => { const now = Date.now(); maxGap = Math.max(maxGap, now - last); last = now; }, 10);
  }
}
clearInterval(ticking);
closeSync(fd);
console.log(JSON.stringify({ text, maxGap }));
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine}: aio.read of a FIFO whose readiness probe a signal interrupts leaves the event loop turning`, { timeout: 90_000 }, async (t) => {
    const run = await runOnInterruptedFifo(t, script, engine, PIECES, PAUSE_MS);
    if (run === undefined) return;
    const report = run.report as { text: string; maxGap: number } | undefined;
    assert.equal(report?.text, PIECES.join(''), run.stderr.slice(0, 1500));
    assert.ok(report.maxGap < PAUSE_MS * 0.7, `the longest event-loop gap was ${report.maxGap} ms: a read waited inline for the writer's ${PAUSE_MS} ms pause`);
  });
}
