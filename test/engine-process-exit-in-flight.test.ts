// process.exit() with chains in flight does not hang: Node joins every worker thread at exit,
// and the engine interrupts cachemiss threads blocked in the kernel (SIGRTMAX) so they can be
// joined. Child processes exit with work queued, with a thread blocked in read(), and with a
// whole pool of threads blocked.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, engineUrl } from './helpers/child.js';

const HANG = 12_000;

function script(readers: number, when: 'at-once' | 'when-blocked'): string {
  return `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { socketPair, untilBlockedIn } from ${JSON.stringify(new URL('./helpers/engine.ts', import.meta.url).href)};
const engine = new Engine({ threads: ${readers}, idleTimeMs: 30_000, engine: 'threads' });
const fds = [];
for (let i = 0; i < ${readers}; i++) {
  const [reader] = socketPair(engine);
  const chain = new ChainBuilder(engine.memory);
  chain.atom('read', [reader, chain.buffer(16), 16]);
  if (engine.async_exec(chain.first) !== 0n) throw new Error('expected the read to go asynchronous');
  fds.push(reader);
}
${when === 'when-blocked' ? 'for (const fd of fds) await untilBlockedIn(0, fd);' : ''}
console.log('exiting with', engine.inflight, 'in flight on', engine.threads, 'threads');
process.exit(3);
`;
}

test('process.exit() while the chain is still queued (its thread starting) does not hang', async () => {
  const child = await runChild(script(1, 'at-once'), HANG);
  assert.equal(child.timedOut, false, `process.exit() hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 3, child.stderr);
  assert.equal(child.stdout.trim(), 'exiting with 1 in flight on 1 threads');
});

test('process.exit() while a cachemiss thread is blocked in read() does not hang', async () => {
  const child = await runChild(script(1, 'when-blocked'), HANG);
  assert.equal(child.timedOut, false, `process.exit() hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 3, child.stderr);
  assert.equal(child.stdout.trim(), 'exiting with 1 in flight on 1 threads');
});

test('process.exit() with four threads blocked does not hang', async () => {
  const child = await runChild(script(4, 'when-blocked'), HANG);
  assert.equal(child.timedOut, false, `process.exit() hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 3, child.stderr);
  assert.equal(child.stdout.trim(), 'exiting with 4 in flight on 4 threads');
});

test('process.exit() with reads armed in the io_uring engine does not hang', async (t) => {
  const child = await runChild(`
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { socketPair, untilBlockedIn } from ${JSON.stringify(new URL('./helpers/engine.ts', import.meta.url).href)};
const engine = new Engine({ engine: 'io_uring' });
if (engine.asyncEngine.kind !== 'io_uring') {
  console.log('skip', engine.asyncEngine.reason);
  process.exit(0);
}
const fds = [];
for (let i = 0; i < 4; i++) {
  const [reader] = socketPair(engine);
  const chain = new ChainBuilder(engine.memory);
  chain.atom('read', [reader, chain.buffer(16), 16]);
  if (engine.async_exec(chain.first) !== 0n) throw new Error('expected the read to go asynchronous');
  fds.push(reader);
}
for (const fd of fds) await untilBlockedIn(0, fd, 10_000, engine);
console.log('exiting with', engine.inflight, 'in flight,', engine.ringInFlight, 'in the ring');
process.exit(3);
`, HANG);
  if (child.stdout.startsWith('skip')) return t.skip(child.stdout.trim());
  assert.equal(child.timedOut, false, `process.exit() hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 3, child.stderr);
  assert.equal(child.stdout.trim(), 'exiting with 4 in flight, 4 in the ring');
});
