// Issue #8: the regression corpus (test/fuzz/corpus.ts, test/fuzz/scenarios.ts). Each test states
// the guarantee; the ones marked BUG fail until the engine is fixed (see docs/reliability.md).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { msghdrControllenBeyond53Bits } from './fuzz/corpus.js';
import { runScenario } from './fuzz/child.js';

test('regression (was a confinement escape): recvmsg with msg_controllen >= 2^53 must not write outside engine memory (executor.ts #msghdrConfined)', async () => {
  const { result, victimWritten } = await msghdrControllenBeyond53Bits();
  assert.equal(victimWritten, false, 'the kernel wrote a control message into an unregistered Buffer');
  assert.equal(result, -14);
});

test('regression (was a crash): releasing engine memory a cachemiss chain is using must not kill the process (memory.ts release)', () => {
  const run = runScenario(['free-inflight']);
  assert.equal(run.signal, null, `child died by ${run.signal}`);
  assert.equal(run.status, 0, run.stderr.slice(-1000));
});

for (const which of ['nan', 'zero', 'negative', 'configure']) {
  test(`regression (was a hang): a bad thread count (${which}) gives a typed error or a working pool, never a chain that never completes`, () => {
    const run = runScenario(['threads', which]);
    const line = JSON.parse(run.stdout.trim().split('\n').pop() ?? '{}') as { ok?: boolean; hang?: boolean; threw?: string };
    assert.equal(line.hang, undefined, `chain never completed: ${run.stdout}`);
    assert.equal(line.ok, true);
    if (line.threw !== undefined) assert.match(line.threw, /RangeError|TypeError/);
  });
}
