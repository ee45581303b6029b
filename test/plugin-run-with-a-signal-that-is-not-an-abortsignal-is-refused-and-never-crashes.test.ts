/**
 * `plugin.run(engine, params, { signal })` with a `signal` that is not an AbortSignal (a string,
 * a plain object, a number) must be refused as Node refuses one (TypeError ERR_INVALID_ARG_TYPE
 * naming `options.signal`) before anything is acquired, and must never crash the process.
 *
 * Found by hunt19 from the packed package: for a chain that completes inline the bad signal was
 * ignored (the run resolved); for one that goes asynchronous (here a loop past the inline budget;
 * any read that would block) the run rejected with `TypeError: this[#signal]?.addEventListener
 * is not a function` (no code, no field) and then, when the chain ended, the process died with an
 * uncaught `TypeError: this[#signal]?.removeEventListener is not a function` thrown from the
 * engine's completion delivery (exit 1). Same for 'x', 1, {} and { aborted: false }.
 *
 * Fixed by the coordinator: Plugin.run checks its options with optionsOf and signalOf first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const CHILD = `
import { definePlugin, Engine } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
const engine = new Engine({ maxAtomsPerChain: 50_000 });
// getpid in a loop: past the inline budget (4,096 atoms) the chain goes to a cachemiss thread,
// and it ends at the atom limit.
const loop = definePlugin({ name: 'user.loop', params: {}, atoms: [{ call: 'getpid', args: [], next: 0 }] });
const outcomes = [];
for (const bad of ['x', 1, {}]) {
  try {
    const result = await loop.run(engine, {}, { signal: bad });
    outcomes.push({ resolved: result.stop });
  } catch (error) {
    outcomes.push({ name: error.name, code: error.code, message: error.message });
  }
}
// Give every chain time to end (a crash comes from the completion).
await new Promise((resolve) => setTimeout(resolve, 1500));
console.log(JSON.stringify(outcomes));
await engine.close();
`;

test('plugin.run with a signal that is not an AbortSignal is refused and never crashes', { timeout: 60_000 }, async () => {
  const child = await runChild(CHILD, 30_000);
  assert.equal(child.timedOut, false, 'the child ended');
  assert.equal(child.code, 0, `the process lives: ${child.stderr}`);
  const outcomes = JSON.parse(child.stdout.trim().split('\n').pop() ?? '[]') as { name?: string; code?: string; message?: string }[];
  assert.equal(outcomes.length, 3);
  for (const outcome of outcomes) {
    assert.equal(outcome.name, 'TypeError', JSON.stringify(outcome));
    assert.equal(outcome.code, 'ERR_INVALID_ARG_TYPE', JSON.stringify(outcome));
    assert.match(outcome.message ?? '', /"options\.signal" property must be an instance of AbortSignal/);
  }
});
