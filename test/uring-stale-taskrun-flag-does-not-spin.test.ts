// A TASKRUN flag the kernel leaves set with no completion work queued must not keep the JS thread
// in the engine. The event loop's wake-up callback pumped the ring "while it has work", and the
// flag alone counted as work: with the ring idle (every SQE submitted, every CQE reaped, as the
// ring's fdinfo showed) the callback entered the kernel for ever, and the process hung — `bench
// --quick` in a CI clone, 100 % CPU in io_uring_enter(0, 0, GETEVENTS). Here the ring's view of
// its SQ flags is made to report TASKRUN always (what a stale flag looks like from user space);
// a ring read of a pipe completes, and the process must go on to deliver it and exit. In a child
// process with a time limit: the failure is a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, helperUrl, runChild } from './helpers/child.js';

const SCRIPT = `
import { engineWithDeferTaskrun } from ${JSON.stringify(helperUrl('defer-taskrun'))};
import { Ring } from ${JSON.stringify(engineUrl('uring-ring'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { IORING_SQ_TASKRUN } from ${JSON.stringify(engineUrl('native/index'))};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};
import { writeSync, closeSync } from 'node:fs';

const sqFlags = Ring.prototype.sqFlags;
Ring.prototype.sqFlags = function () { return sqFlags.call(this) | IORING_SQ_TASKRUN; };
const engine = await engineWithDeferTaskrun();
const { reader, writer } = openPipe();
const chain = new ChainBuilder(engine.memory);
chain.atom('read', [reader, chain.buffer(16), 16]);
const done = engine.runChain(chain.first);
const inRing = engine.ringInFlight;
setTimeout(() => writeSync(writer, 'ring!'), 50);
const completion = await done;
// One more turn of the event loop, and a timer: both need the wake-up callback to have returned.
await new Promise((resolve) => setTimeout(resolve, 20));
await engine.close();
closeSync(reader);
closeSync(writer);
console.log(JSON.stringify({ inRing, result: Number(completion.result) }));
`;

test('a TASKRUN flag left set over an idle ring does not keep the JS thread pumping', { timeout: 90_000 }, async (t) => {
  const child = await runChild(SCRIPT, 30_000);
  assert.equal(child.timedOut, false, `the child hung (killed at 30 s): the wake-up callback kept pumping\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { skip?: string; inRing?: number; result?: number };
  if (report.skip !== undefined) return t.skip(report.skip);
  assert.deepEqual(report, { inRing: 1, result: 5 });
});
