/**
 * A loop awaiting readFileSyslet, readFileInto or copyFileSyslet on a small cached file lets the
 * event loop turn, as a loop of node:fs/promises readFile (one turn a call) and of syslet-aio/fs's
 * calls do (engine/event-loop-turns.ts: past CALLS_PER_TURN calls in one turn a call waits for the
 * next; docs/reliability.md bug 30). hunt22 (session 22) found two path helpers outside that budget:
 * on the threads engine readFileSyslet and readFileInto complete inline and settles its Promise in the
 * microtask queue, so `for (;;) await readFileSyslet(engine, file)` never lets a timer run — a
 * `setTimeout(() => process.exit(0), 20)` beside such a loop never fired (15 s, killed; 40 of 55
 * process.exit runs of the hunt's mixed loops hung on the threads engine, 0 of 100 on io_uring,
 * whose batches answer from the ring's completions in a later turn). Fixed (session 22,
 * coordinator, 845e27c): the helpers are paced as the other Promise APIs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine, copyFileSyslet, readFileInto, readFileSyslet } from '../index.js';
import { CALLS_PER_TURN } from '../engine/event-loop-turns.js';
import { scratch } from './helpers/fs-implementations.js';
import { loopsThatNeverTurned } from './helpers/event-loop-turns.js';

/** Far above the calls one turn lets begin: reached only when the event loop never turned. */
const BOUND = 4 * CALLS_PER_TURN;

for (const kind of ['threads', 'io_uring'] as const) {
  test(`loops of awaited path helpers on a cached file let the event loop turn (${kind} engine)`, async (t) => {
    const dir = scratch(t, 'helper-turns');
    const file = join(dir, 'cached');
    writeFileSync(file, Buffer.alloc(4096, 7));
    const engine = new Engine({ engine: kind });
    t.after(() => engine.close());
    if (engine.asyncEngine.kind !== kind) return t.skip(`no ${kind} engine here: ${JSON.stringify(engine.asyncEngine)}`);
    const target = Buffer.alloc(8192);
    const calls: Record<string, () => Promise<unknown>> = {
      'node:fs/promises readFile': () => readFile(file),
      readFileSyslet: () => readFileSyslet(engine, file),
      readFileInto: () => readFileInto(engine, file, target),
      copyFileSyslet: () => copyFileSyslet(engine, file, join(dir, 'copy')),
    };
    assert.deepEqual(await loopsThatNeverTurned(calls, BOUND), []);
  });
}
