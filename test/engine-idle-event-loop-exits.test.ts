// An engine never keeps the process alive by itself: the eventfd watcher is referenced only while
// chains are in flight, and cachemiss threads are unref'd. A child process whose chain went to a
// cachemiss thread exits on its own once the completion is delivered — even though that thread
// would linger for 30 s waiting for work — and one with an idle engine (unused, used inline, or
// with warmed threads) exits at once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, engineUrl } from './helpers/child.js';

/** Far longer than any of these children needs; reaching it means the child hung. */
const HANG = 12_000;

const prelude = `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
const engine = new Engine({ threads: 2, idleTimeMs: 30_000, minThreads: 0 });
`;

test('a chain that went asynchronous completes, and then the process exits by itself', async () => {
  const child = await runChild(`${prelude}
const chain = new ChainBuilder(engine.memory);
const ts = chain.buffer(16);
new DataView(ts.bytes.buffer, ts.bytes.byteOffset, 16).setBigInt64(8, 20_000_000n, true);
chain.atom('nanosleep', [ts, null]);
engine.runChain(chain.first).then((done) => console.log('completed', done.mode, done.result, engine.inflight));
`, HANG);
  assert.equal(child.timedOut, false, `the child hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'completed cachemiss 0 0');
});

test('a chain delivered through the ring and the completions() iterator: the process exits too', async () => {
  const child = await runChild(`${prelude}
const ring = engine.alloc(64);
engine.async_register({ ring: ring.start, ringSizeBytes: 64 });
const chain = new ChainBuilder(engine.memory);
chain.atom('getpid', [], { flags: 1 /* SYSLET_ASYNC */ });
console.log('submitted', engine.async_exec(chain.first));
for await (const completion of engine.completions()) console.log('completed', completion.atom === BigInt(chain.first));
`, HANG);
  assert.equal(child.timedOut, false, `the child hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'submitted 0n\ncompleted true');
});

test('an idle engine — unused, used inline, or with warmed threads — lets the process exit at once', async () => {
  const child = await runChild(`${prelude}
const chain = new ChainBuilder(engine.memory);
chain.atom('getpid', []);
console.log('inline', engine.async_exec(chain.first) > 0n, engine.threads);
engine.warm(2);
console.log('warmed', engine.threads);
`, HANG);
  assert.equal(child.timedOut, false, `an idle engine kept the process alive: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'inline true 0\nwarmed 2');
});

test('an engine with its default kept threads (started with it) lets the process exit at once', async () => {
  const child = await runChild(`
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
const engine = new Engine();
await engine.warm(2);
console.log('kept', engine.threads);
`, HANG);
  assert.equal(child.timedOut, false, `kept threads held the process: ${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(child.stdout.trim(), 'kept 2');
});
