/**
 * process exit does not wait for cachemiss threads that Node is still starting. The threads
 * engine starts two threads with the engine (EngineOptions.minThreads); a thread terminated
 * while koffi's addon initialises aborts the process, so the pool's exit handler used to wait
 * until every started thread had loaded — 100-250 ms of wall (50-120 ms of CPU) at the end of any
 * short script, one that never needed a thread included (session 30: a one-shot readFile of a
 * cached file spent 230 ms in its exit on the threads engine, against 0.5 ms on io_uring). A
 * thread now claims its phase as its first module runs, and the exit handler withdraws one that
 * has not (engine/cachemiss-worker-claim.ts): only a thread already inside its modules is waited
 * for.
 *
 * Each child makes a threads engine and exits at once, in the same turn: its threads have not
 * begun to run their modules (a Worker takes tens of milliseconds to start even on an idle
 * machine). What is checked is what the library's exit handler does, not how long it takes (a
 * time limit failed on a loaded machine for nothing the library did): between an 'exit' listener
 * added before the library is imported and one added after, the calls of Atomics.wait — the
 * handler's only way to wait for a thread, 1 ms a call — are counted: none when every thread was
 * withdrawn; about one a millisecond of a thread's loading when the handler waits for it (it is
 * bounded by EXIT_LOAD_WAIT_MS). engine-exit-while-threads-load-is-clean and
 * engine-process-exit-every-thread-phase check that no exit aborts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;
const RUNS = 5;

const source = `
import { writeSync } from 'node:fs';
let before = 0;
let waits = -1;
const wait = Atomics.wait;
Atomics.wait = (...args) => { if (waits >= 0) waits++; return wait(...args); };
process.on('exit', () => { before = performance.now(); waits = 0; });
const { Engine } = await import(${JSON.stringify(INDEX)});
process.on('exit', () => { writeSync(1, JSON.stringify({ exitMs: performance.now() - before, waits }) + '\\n'); });
const engine = new Engine({ engine: 'threads' });
if (engine.asyncEngine.kind !== 'threads') throw new Error('not the threads engine');
process.exit(0);
`;

test(`process.exit right after a threads engine starts does not wait for its threads to load (${RUNS} children)`, { timeout: 180_000 }, async () => {
  const exits: { exitMs: number; waits: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    const child = await runChild(source, 30_000);
    assert.equal(child.timedOut, false, child.stderr);
    assert.equal(child.code, 0, child.stderr);
    const got = JSON.parse(child.stdout.trim().split('\n').at(-1) ?? '{}') as { exitMs?: number; waits?: number };
    assert.equal(typeof got.waits, 'number', child.stdout + child.stderr);
    exits.push({ exitMs: got.exitMs as number, waits: got.waits as number });
  }
  // Withdrawing threads waits for none; waiting for one to load waits through its whole start-up.
  // (Most runs, not all: a thread the machine started unusually fast may be inside its modules.)
  const withdrawn = exits.filter(({ waits }) => waits === 0).length;
  const seen = exits.map(({ exitMs, waits }) => `${waits} waits in ${exitMs.toFixed(1)} ms`).join(', ');
  assert.ok(withdrawn > RUNS / 2, `the library's exit handler waited for loading threads: ${seen}`);
});
