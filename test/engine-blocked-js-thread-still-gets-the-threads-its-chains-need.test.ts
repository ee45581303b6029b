// The cachemiss pool starts the threads its queued chains need even while the JS thread never
// returns to the event loop (a program blocked in read(2) for what its chains do, or in
// aio_suspend). The pool let at most one thread per core load at once, and counted a thread as
// loading until the JS thread processed its 'ready' message: with the two kept threads loaded and
// blocked in chains, a third chain started no thread, and the program waited for ever. Here the
// JS thread never yields: three chains, each "write a byte to my pipe, then block reading an empty
// one", and after each submission a blocking read of that byte. Runs in a child with a time limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { engineUrl, helperUrl, runChild } from './helpers/child.js';

const script = `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { SYSLET_ASYNC } from ${JSON.stringify(engineUrl('atom'))};
import { addressOf, syscall } from ${JSON.stringify(engineUrl('native/index'))};
import { NR } from ${JSON.stringify(engineUrl('syscalls/nr'))};
import { openPipe } from ${JSON.stringify(helperUrl('pipe'))};

// Two threads kept (the default), room for four: the third chain needs a third thread.
const engine = new Engine({ engine: 'threads', threads: 4, minThreads: 2 });
const byte = Buffer.alloc(1);
const empties = [];
const done = [];
for (let i = 0; i < 3; i++) {
  const started = openPipe();
  const empty = openPipe();
  empties.push(empty);
  const chain = new ChainBuilder(engine.memory);
  chain.atom('write', [started.writer, chain.buffer(new Uint8Array([1])), 1], { flags: SYSLET_ASYNC });
  chain.atom('read', [empty.reader, chain.buffer(8), 1]);
  done.push(engine.runChain(chain.first));
  // Blocking, on the JS thread: returns once a cachemiss thread has run the chain's first atom.
  if (syscall(NR.read, started.reader, addressOf(byte), 1) !== 1) throw new Error('started pipe');
}
for (const empty of empties) syscall(NR.write, empty.writer, addressOf(byte), 1);
const results = (await Promise.all(done)).map((completion) => Number(completion.result));
console.log(JSON.stringify({ results, threads: engine.threads }));
await engine.close();
`;

test('three chains that block, with the JS thread blocked after each: a third thread starts', { timeout: 90_000 }, async () => {
  const child = await runChild(script, 60_000);
  assert.equal(child.timedOut, false, `the child hung (killed at 60 s): no thread took the third chain\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const report = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { results: number[]; threads: number };
  assert.deepEqual(report.results, [1, 1, 1]);
  assert.ok(report.threads >= 3, `threads: ${report.threads}`);
});
