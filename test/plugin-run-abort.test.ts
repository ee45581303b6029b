/**
 * plugin.run with an AbortSignal: an already aborted signal rejects before anything is acquired;
 * aborting while the chain sleeps on a cachemiss thread rejects at once with the signal's
 * reason, and the instance goes back to the pool only when the chain has really ended.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { definePlugin } from '../plugins/index.js';

const SLEEP_MS = 300;
const nap = definePlugin({
  name: 'test.nap',
  params: {},
  scratch: { ts: { size: 16, fields: [{ at: 8, width: 8, value: SLEEP_MS * 1e6 }] } },
  atoms: [{ call: 'nanosleep', args: [{ scratch: 'ts' }, 0] }],
});

test('aborting a run rejects at once and returns the instance when the chain ends', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());

  const early = new AbortController();
  early.abort(new Error('never started'));
  await assert.rejects(nap.run(engine, {}, { signal: early.signal }), /never started/);
  assert.deepEqual(nap.poolStats(engine), { slabs: 0, instances: 0, free: 0 }, 'nothing acquired');

  const controller = new AbortController();
  const started = performance.now();
  const running = nap.run(engine, {}, { signal: controller.signal });
  await sleep(20);
  controller.abort(new Error('caller gave up'));
  await assert.rejects(running, /caller gave up/);
  const during = nap.poolStats(engine);
  assert.equal(during.free, during.instances - 1, 'the rejection did not wait for the chain: it still owns its instance');

  // The chain ends SLEEP_MS after a cachemiss thread picks it up (starting one may take a while).
  const deadline = performance.now() + 10_000;
  while (nap.poolStats(engine).free !== during.instances && performance.now() < deadline) await sleep(20);
  assert.ok(performance.now() - started >= SLEEP_MS, 'not before nanosleep could have finished');
  const after = nap.poolStats(engine);
  assert.equal(after.free, after.instances, 'returned once nanosleep finished');

  const finished = await nap.run(engine, {}, { signal: new AbortController().signal });
  assert.equal(finished.atoms[0]?.result, 0, 'an unaborted signal changes nothing');
});
