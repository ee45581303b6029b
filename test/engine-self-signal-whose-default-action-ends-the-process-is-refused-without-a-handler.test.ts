// docs/syslets.md §6: signals "may only target this process, and only to notify it"; "a real-time
// signal or one the program handles ... goes through". hunt26: a signal the program does NOT
// handle, whose default action ends the process, went through as well: kill(getpid(), SIGUSR2)
// in a chain ended the process (exit 140), and so did SIGTERM (143), SIGALRM (142), SIGHUP (129)
// and SIGRTMIN+1 (163), every run — the deny-list (SELF_SIGNALS_DENIED) is static and holds only
// the uncatchable, stopping and fault signals. The expectation here: with no handler installed
// (disposition SIG_DFL, default action terminate), the atom is -EPERM and the process lives;
// with a handler (process.on), the signal is delivered (the existing rule's case).
// Runs each signal in its own child process: before the fix (session 27), the child died.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, runChild } from './helpers/child.js';

const SIGNALS: Record<string, number> = { SIGUSR2: 12, SIGTERM: 15, SIGINT: 2, SIGALRM: 14, SIGHUP: 1, 'SIGRTMIN+1': 35 };

for (const [name, signo] of Object.entries(SIGNALS)) {
  test(`a chain's kill(getpid(), ${name}) with no handler installed is refused and the process lives`, async () => {
    const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
const engine = new Engine({ threads: 1 });
const chain = new ChainBuilder(engine.memory);
const pid = chain.atom('getpid', []);
const kill = chain.atom('kill', [pid, ${signo}]);
engine.runChainSync(chain.first);
await new Promise((resolve) => setTimeout(resolve, 100));
console.log(JSON.stringify({ result: Number(kill.result.value) }));
chain[Symbol.dispose]();
await engine.close();
`;
    const child = await runChild(script, 30_000);
    assert.equal(child.signal, null, `the process died of ${String(child.signal)}`);
    assert.equal(child.code, 0, `exit ${String(child.code)}: a chain ended its own process with ${name}`);
    const last = child.stdout.trim().split('\n').pop() ?? '';
    assert.ok(last.startsWith('{'), `the child ended without its report (exit ${String(child.code)}): ${child.stderr.slice(0, 300)}`);
    const { result } = JSON.parse(last) as { result: number };
    assert.equal(result, -1, '-EPERM');
  });
}

test('with a handler installed (process.on), the same self-signal is delivered, and refused again once the handler is removed', async () => {
  const script = `
import { Engine } from '${engineUrl('engine')}';
import { ChainBuilder } from '${engineUrl('builder')}';
const engine = new Engine({ threads: 1 });
let delivered = 0;
const onSignal = () => { delivered++; };
process.on('SIGUSR2', onSignal);
const results = [];
for (const phase of ['handled', 'removed']) {
  const chain = new ChainBuilder(engine.memory);
  const pid = chain.atom('getpid', []);
  const kill = chain.atom('kill', [pid, 12]);
  engine.runChainSync(chain.first);
  await new Promise((resolve) => setTimeout(resolve, 100));
  results.push(Number(kill.result.value));
  chain[Symbol.dispose]();
  if (phase === 'handled') process.off('SIGUSR2', onSignal);
}
console.log(JSON.stringify({ results, delivered }));
await engine.close();
`;
  const child = await runChild(script, 30_000);
  assert.equal(child.signal, null, `the process died of ${String(child.signal)}`);
  assert.equal(child.code, 0, `exit ${String(child.code)}: ${child.stderr.slice(0, 300)}`);
  const last = child.stdout.trim().split('\n').pop() ?? '';
  const { results, delivered } = JSON.parse(last) as { results: number[]; delivered: number };
  assert.deepEqual(results, [0, -1], 'delivered while handled, -EPERM once the handler is gone');
  assert.equal(delivered, 1);
});
