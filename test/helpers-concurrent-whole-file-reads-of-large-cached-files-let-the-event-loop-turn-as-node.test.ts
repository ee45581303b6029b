/**
 * Concurrent whole-file reads of a large cached file let the event loop turn before any of them
 * has ended, as node:fs/promises does (its reads run on the thread pool): an immediate scheduled
 * just before 40 readFileInto calls of a 16 MiB cached file (or 8 readFileSyslet calls) runs
 * while all of them are still reading.
 *
 * hunt23 (session 23): on the io_uring engine none had settled when the immediate ran (3 of 3
 * runs), as with Node; on the threads engine 3-19 of 40 readFileInto and 0-6 of 10
 * readFileSyslet had (6 runs). The between-turn delivery (engine/event-loop-turns.ts) does it:
 * the 16 MiB reads' chunks finish on cachemiss threads while the calls are still being made, a
 * later call's countCall finds them waiting and delivers them in a microtask, and the reads go on
 * and end within the turn that began them; with lookForCompletions disabled by hand, 0 of 40 and
 * 0 of 10 (3 of 3). Seen from the program: an abort from a 2 ms timer beside 100 readFileSyslet
 * calls of 16 MiB could run only after 2.4 s, and found 60 of them resolved (Node: 0 of 100 in
 * 16 ms; io_uring: 0 of 100). Since then a call delivers completions between turns only in a turn
 * that has gone on for a millisecond, at most once a millisecond, and not past the turn's budget.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { readFileInto, readFileSyslet } from '../plugins/helpers.js';
import { scratch } from './helpers/fs-implementations.js';

const SIZE = 16 << 20;

/** How many of `count` calls had settled when an immediate scheduled before them ran. */
async function settledBeforeTheImmediate(count: number, call: () => Promise<unknown>): Promise<number> {
  let settled = 0;
  let seen = -1;
  setImmediate(() => (seen = settled));
  const calls: Promise<unknown>[] = [];
  for (let i = 0; i < count; i++) calls.push(call().then(() => settled++));
  await Promise.all(calls);
  return seen;
}

for (const kind of ['io_uring', 'threads'] as const) {
  test(`${kind} engine: 40 readFileInto and 8 readFileSyslet calls of a 16 MiB cached file let an immediate run before any settles, as node:fs/promises`, {
    timeout: 60_000,
  }, async (t) => {
    const engine = new Engine({ engine: kind });
    t.after(() => engine.close());
    if (engine.asyncEngine.kind !== kind) return t.skip(`no ${kind} engine here: ${engine.asyncEngine.kind === 'threads' ? engine.asyncEngine.reason : ''}`);
    const file = join(scratch(t, 'large-concurrent-reads'), 'large.bin');
    writeFileSync(file, Buffer.alloc(SIZE, 0x5a));
    readFileSync(file); // every page cached
    const target = Buffer.alloc(SIZE);
    const node = await settledBeforeTheImmediate(8, () => nodeFs.readFile(file));
    assert.equal(node, 0, 'node:fs/promises: none settled before the immediate');
    const into = await settledBeforeTheImmediate(40, () => readFileInto(engine, file, target));
    const whole = await settledBeforeTheImmediate(8, () => readFileSyslet(engine, file, { maxBytes: SIZE }));
    assert.deepEqual({ readFileInto: into, readFileSyslet: whole }, { readFileInto: 0, readFileSyslet: 0 });
    assert.equal(target[SIZE - 1], 0x5a, 'the bytes were read');
  });
}
