// A chain may signal its own process to notify it (SIGEV_SIGNAL, notify.signal), never to kill,
// stop or fake a crash in it (issue 15, note: kill(getpid(), SIGKILL) in an atom killed the
// process). SIGKILL, SIGSTOP, the job-control stops, the fault signals and the engine's own wake
// signal are -EPERM with a `self-only:` trace record naming the signal, through kill, tgkill,
// rt_sigqueueinfo and rt_tgsigqueueinfo; signal 0 and a signal the program handles still go.
// Runs in a child process: before the rule, the child simply died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, runChild } from './helpers/child.js';
import { SELF_SIGNAL_SENDER } from './helpers/self-signal-sender.js';

const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
let handled = 0;
process.on('SIGUSR2', () => handled++);
const rules = [];
const engine = new Engine({ threads: 1, onDeny: (record) => rules.push(record.rule) });
${SELF_SIGNAL_SENDER}
const results = {};
for (const call of ['kill', 'tgkill', 'rt_sigqueueinfo', 'rt_tgsigqueueinfo']) {
  for (const signo of [9, 19, 20, 21, 22, 4, 5, 6, 7, 8, 11, 31, 64]) results[call + ' ' + signo] = send(call, signo);
}
results['kill 0'] = send('kill', 0);
results['kill SIGUSR2'] = send('kill', 12);
await new Promise((resolve) => setTimeout(resolve, 50));
console.log(JSON.stringify({ results, rules, handled }));
await engine.close();
`;

test('SIGKILL, SIGSTOP and other signals that are never a notification are refused towards this process', async () => {
  const child = await runChild(script, 30_000);
  assert.equal(child.signal, null, `the child was ended by ${String(child.signal)}: a chain signalled its own process`);
  assert.equal(child.code, 0, child.stderr);
  const { results, rules, handled } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { results: Record<string, number>; rules: string[]; handled: number };
  for (const [what, result] of Object.entries(results)) {
    if (what === 'kill 0' || what === 'kill SIGUSR2') assert.equal(result, 0, what);
    else assert.equal(result, -1, `${what}: -EPERM`);
  }
  assert.equal(rules.length, 4 * 13, 'one trace record per refused atom');
  assert.ok(rules.every((rule) => rule.startsWith('self-only: ')), rules.find((rule) => !rule.startsWith('self-only: ')));
  assert.ok(rules.some((rule) => /^self-only: kill may not send SIGKILL \(9\) to this process: it cannot be caught/.test(rule)), rules[0]);
  assert.ok(rules.some((rule) => rule.includes('SIGSTOP (19)')));
  assert.equal(handled, 1, 'the allowed SIGUSR2 reached the handler of the program');
});
