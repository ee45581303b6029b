/**
 * plugin.run with an AbortSignal or a timeout stops the chain itself: a call it is blocked in is
 * interrupted (-EINTR), the atoms after it never run, and the run rejects with an AbortError
 * (name 'AbortError', code 'ABORT_ERR', the reason as cause) whose `result` says where the chain
 * stopped. An already aborted signal rejects before anything is acquired. The instance is back in
 * its pool when the run rejects.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { EINTR } from '../engine/native/index.js';
import { isAbortError } from '../engine/errors.js';
import { definePlugin, type PluginAbortError } from '../plugins/index.js';

const SLEEP_NS = 30e9;
// getpid, then a 30 s nanosleep, then getppid: an abort must land in the sleep.
const nap = definePlugin({
  name: 'test.nap',
  params: {},
  scratch: { ts: { size: 16, fields: [{ at: 0, width: 8, value: SLEEP_NS / 1e9 }] } },
  atoms: [
    { id: 'pid', call: 'getpid', args: [] },
    { id: 'sleep', call: 'nanosleep', args: [{ scratch: 'ts' }, 0] },
    { id: 'after', call: 'getppid', args: [] },
  ],
});

function rejection(promise: Promise<unknown>): Promise<PluginAbortError> {
  return promise.then(
    () => assert.fail('the run should have been aborted'),
    (error: unknown) => error as PluginAbortError,
  );
}

function assertStoppedInSleep(error: PluginAbortError): void {
  assert.ok(isAbortError(error), String(error));
  assert.equal(error.name, 'AbortError');
  assert.equal(error.code, 'ABORT_ERR');
  const { result } = error;
  assert.equal(result.stop, 'cancelled');
  assert.equal(result.lastId, 'sleep', 'it stopped in the sleep');
  assert.equal(result.byId.pid?.executed, true);
  assert.equal(result.byId.sleep?.result, -EINTR, 'the blocked nanosleep was interrupted');
  assert.equal(result.byId.after?.executed, false, 'the atom after it never ran');
  assert.equal(result.atomsExecuted, 2);
}

test('an aborted signal stops the chain in its blocked call and rejects with an AbortError saying where', { timeout: 30_000 }, async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const early = new AbortController();
  const never = new Error('never started');
  early.abort(never);
  const before = await rejection(nap.run(engine, {}, { signal: early.signal }));
  assert.ok(isAbortError(before) && before.cause === never);
  assert.deepEqual(nap.poolStats(engine), { slabs: 0, instances: 0, free: 0 }, 'nothing acquired');

  const controller = new AbortController();
  const reason = new Error('caller gave up');
  const running = nap.run(engine, {}, { signal: controller.signal });
  await engine.warm(1);
  setTimeout(() => controller.abort(reason), 50);
  const error = await rejection(running);
  assert.equal(error.cause, reason);
  assertStoppedInSleep(error);
  const stats = nap.poolStats(engine);
  assert.equal(stats.free, stats.instances, 'the instance is back in the pool');
});

test('a timeout stops the chain the same way, with a TimeoutError as the cause', { timeout: 30_000 }, async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  await engine.warm(1);
  const error = await rejection(nap.run(engine, {}, { timeout: 100 }));
  assert.ok(error.cause instanceof DOMException && error.cause.name === 'TimeoutError', String(error.cause));
  assertStoppedInSleep(error);
  await assert.rejects(nap.run(engine, {}, { timeout: -1 }), RangeError);
  const finished = await definePlugin({ name: 'test.quick', params: {}, atoms: [{ call: 'getpid', args: [] }] }).run(engine, {}, { timeout: 1000, signal: new AbortController().signal });
  assert.equal(finished.atoms[0]?.result, process.pid, 'a run that ends first is not aborted');
});
