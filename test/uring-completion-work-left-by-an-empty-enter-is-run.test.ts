// Completion work the kernel still holds after an io_uring_enter(GETEVENTS) that posted nothing
// must still be run. Under DEFER_TASKRUN the kernel signals the eventfd only when its list of
// completion work goes from empty to non-empty; the engine went back to the event loop once an
// enter had answered the TASKRUN flag with no completion, so work left in that list was never
// run: on a cold process reading uncached blocks at QD64 through aio.read, about one run in 30
// stopped with 64 reads in the ring, the flag set and the event loop asleep for good (an enter
// made 15 s later found the completions). Here the first GETEVENTS enter after a pipe read
// completes is made without GETEVENTS (it posts nothing and leaves the work queued, as those
// enters did); the read must still be delivered. In a child process with a time limit: the
// failure is a hang.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, helperUrl, runChild } from './helpers/child.js';

const SCRIPT = `
import { engineWithDeferTaskrun } from ${JSON.stringify(helperUrl('defer-taskrun'))};
import { Ring } from ${JSON.stringify(engineUrl('uring-ring'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};
import { writeSync, closeSync } from 'node:fs';

let emptyEnters = 0;
const submit = Ring.prototype.submit;
Ring.prototype.submit = function (minComplete = 0, getEvents = minComplete > 0) {
  if (emptyEnters > 0 && getEvents && minComplete === 0) {
    emptyEnters--;
    return submit.call(this, 0, false);
  }
  return submit.call(this, minComplete, getEvents);
};
const engine = await engineWithDeferTaskrun();
const { reader, writer } = openPipe();
const chain = new ChainBuilder(engine.memory);
chain.atom('read', [reader, chain.buffer(16), 16]);
const done = engine.runChain(chain.first);
const inRing = engine.ringInFlight;
setTimeout(() => {
  emptyEnters = 1;
  writeSync(writer, 'ring!');
}, 50);
const completion = await done;
await engine.close();
closeSync(reader);
closeSync(writer);
console.log(JSON.stringify({ inRing, result: Number(completion.result), emptyEntersLeft: emptyEnters }));
`;

test('completion work left queued by an enter that posted nothing is run', { timeout: 90_000 }, async (t) => {
  const child = await runChild(SCRIPT, 20_000);
  assert.equal(child.timedOut, false, `the child hung (killed at 20 s): the ring's completion work was never run\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { skip?: string; inRing?: number; result?: number; emptyEntersLeft?: number };
  if (report.skip !== undefined) return t.skip(report.skip);
  assert.deepEqual(report, { inRing: 1, result: 5, emptyEntersLeft: 0 });
});
