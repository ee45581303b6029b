// A chain linked after another with Engine.submitAfter runs when that one ends — also when the
// predecessor waits in the io_uring ring rather than on a cachemiss thread. Only a cachemiss
// thread that ended a chain used to start its successor; a ring chain ends on the calling thread
// (its completion resumes it there), so its successor never ran and never completed, and the
// process hung. Here the predecessor is a read of an empty pipe (in the ring), the successor a
// getpid; the pipe gets data, the predecessor is cancelled, or the engine closes while it waits.
// Each case runs in a child process with a time limit: the failure is a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { STOP } from '../engine/atom.js';
import { ECANCELED, EINTR } from '../engine/native/index.js';
import { engineUrl, helperUrl, runChild } from './helpers/child.js';

/** The child: `ending` says how the ring chain ends. It prints one JSON line with what it saw. */
function script(ending: 'data' | 'cancel' | 'close'): string {
  return `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};
import { writeSync, closeSync } from 'node:fs';

const engine = new Engine({ engine: 'io_uring' });
if (engine.asyncEngine.kind !== 'io_uring') {
  console.log(JSON.stringify({ skip: 'io_uring unavailable: ' + engine.asyncEngine.reason }));
  await engine.close();
  process.exit(0);
}
const { reader, writer } = openPipe();
const first = new ChainBuilder(engine.memory);
first.atom('read', [reader, first.buffer(16), 16]);
const second = new ChainBuilder(engine.memory);
second.atom('getpid', []);
const seen = [];
let settle;
const settled = new Promise((resolve) => (settle = resolve));
const listener = (name) => ({
  chainDone(last, result, atoms, stop) {
    seen.push({ name, result: Number(result), stop });
    if (seen.length >= 2) settle();
  },
});
const predecessor = listener('predecessor');
if (engine.submit(first.first, predecessor) !== 0) throw new Error('the read did not go asynchronous');
const token = engine.lastSubmit.token;
const inRing = engine.ringInFlight;
const linked = engine.submitAfter(second.first, listener('successor'), token);
${ending === 'data' ? "writeSync(writer, 'ring!');" : ending === 'cancel' ? 'engine.cancelChain(token, predecessor);' : 'await engine.close();'}
const timer = setTimeout(() => settle(), 20_000);
await settled;
clearTimeout(timer);
await engine.close();
closeSync(reader);
closeSync(writer);
console.log(JSON.stringify({ inRing, linked, seen, inflight: engine.inflight, pid: process.pid }));
`;
}

/** Runs the case; null when the child says io_uring is unavailable (with its reason on `t`). */
async function run(ending: 'data' | 'cancel' | 'close'): Promise<{ inRing: number; linked: number; seen: { name: string; result: number; stop: number }[]; inflight: number; pid: number } | string> {
  const child = await runChild(script(ending), 60_000);
  assert.equal(child.timedOut, false, `the child hung (killed at 60 s): a successor never completed\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { skip?: string };
  if (report.skip !== undefined) return report.skip;
  return report as Awaited<ReturnType<typeof run>> & object;
}

test('the ring chain completes: its successor runs on a thread, and is delivered after it', { timeout: 90_000 }, async (t) => {
  const report = await run('data');
  if (typeof report === 'string') return t.skip(report);
  assert.equal(report.inRing, 1, 'the predecessor waited in the ring');
  assert.equal(report.linked, 0);
  assert.deepEqual(report.seen, [
    { name: 'predecessor', result: 5, stop: STOP.end },
    { name: 'successor', result: report.pid, stop: STOP.end },
  ]);
  assert.equal(report.inflight, 0);
});

test('the ring chain is cancelled: its successor still runs, once, after it', { timeout: 90_000 }, async (t) => {
  const report = await run('cancel');
  if (typeof report === 'string') return t.skip(report);
  assert.equal(report.inRing, 1);
  assert.equal(report.linked, 0);
  assert.deepEqual(report.seen, [
    { name: 'predecessor', result: -EINTR, stop: STOP.cancelled },
    { name: 'successor', result: report.pid, stop: STOP.end },
  ]);
  assert.equal(report.inflight, 0);
});

test('the engine closes while the ring chain waits: both complete once, cancelled, and close returns', { timeout: 90_000 }, async (t) => {
  const report = await run('close');
  if (typeof report === 'string') return t.skip(report);
  assert.equal(report.inRing, 1);
  assert.equal(report.linked, 0);
  assert.deepEqual(report.seen, [
    { name: 'predecessor', result: -EINTR, stop: STOP.cancelled },
    { name: 'successor', result: -ECANCELED, stop: STOP.cancelled },
  ]);
  assert.equal(report.inflight, 0);
});
