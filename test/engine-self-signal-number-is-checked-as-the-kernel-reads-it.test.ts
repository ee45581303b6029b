// The self-signal rule (engine-self-signal-kill-stop-denied) judges the signal number the kernel
// will take: kill, tgkill, rt_sigqueueinfo and rt_tgsigqueueinfo read `int sig`, the low 32 bits of
// the argument word. hunt26: the rule looked the whole 64-bit word up (SELF_SIGNALS_DENIED[signal]
// in engine/atom-call.ts #checkAndCall, and not at all for a bigint word), so kill(getpid(),
// 2^32 + 9) passed the deny-list and the kernel delivered SIGKILL: the process died (exit 137;
// 2^32 + 19: stopped, 2^32 + 11: SIGSEGV; -(2^32) + 9 and 2^60 + 9 the same), through a raw chain,
// a plugin `signo` parameter or a plugin literal, in 4 of 4 forms, every run.
// Runs in a child process: before the fix (session 26: the low 32 bits, for number and bigint
// words alike), the child simply died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, runChild } from './helpers/child.js';
import { SELF_SIGNAL_SENDER } from './helpers/self-signal-sender.js';

const WORDS = ['2n ** 32n + 9n', '-(2n ** 32n) + 9n', '2n ** 32n + 19n', '2n ** 32n + 11n', '2n ** 60n + 9n', '2n ** 32n + 64n'];

const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
const engine = new Engine({ threads: 1 });
${SELF_SIGNAL_SENDER}
const results = {};
for (const call of ['kill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo']) {
  for (const word of [${WORDS.join(', ')}]) {
    results[call + ' ' + word] = send(call, word);
    // Say how far it got, in case the next one ends the process.
    console.log(JSON.stringify({ done: call + ' ' + word }));
  }
}
console.log(JSON.stringify({ results }));
await engine.close();
`;

test('a self-signal whose low 32 bits are SIGKILL, SIGSTOP or SIGSEGV is refused', { timeout: 60_000 }, async () => {
  const child = await runChild(script, 30_000);
  const lines = child.stdout.trim().split('\n').filter((line) => line !== '');
  const last = lines.at(-1) ?? '{}';
  assert.equal(child.signal, null, `the child was ended by ${String(child.signal)} after ${last}: a chain signalled its own process`);
  assert.equal(child.code, 0, child.stderr);
  const { results } = JSON.parse(last) as { results: Record<string, number> };
  assert.equal(Object.keys(results).length, 4 * WORDS.length);
  for (const [what, result] of Object.entries(results)) assert.equal(result, -1, `${what}: -EPERM`);
});
