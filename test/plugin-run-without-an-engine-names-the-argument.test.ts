/**
 * plugin.run with something that is not an Engine (null, undefined, a plain object, a number)
 * rejects with Node's TypeError ERR_INVALID_ARG_TYPE naming `engine`, as the path helpers do, and
 * acquires nothing. Before: "Invalid value used as weak map key" (null, numbers) or a TypeError
 * from deep inside the pool (found by hunt19).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { definePlugin, Engine } from '../index.js';

const pid = definePlugin({ name: 'user.pid', params: {}, atoms: [{ call: 'getpid', args: [] }] });

test('plugin.run without an Engine names the engine argument', async () => {
  const bads: unknown[] = [null, undefined, {}, 1, 'engine'];
  for (const bad of bads) {
    await assert.rejects(
      () => pid.run(bad as Engine, {}),
      (error: Error & { code?: string }) => error instanceof TypeError && error.code === 'ERR_INVALID_ARG_TYPE' && /^The "engine" argument must be an instance of Engine\./.test(error.message),
      JSON.stringify(bad) ?? 'undefined',
    );
  }
  // A real engine still runs it.
  const engine = new Engine();
  try {
    const outcome = await pid.run(engine, {});
    assert.equal(outcome.atoms[0]?.result, process.pid);
  } finally {
    await engine.close();
  }
});
