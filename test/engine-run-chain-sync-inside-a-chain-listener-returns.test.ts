/**
 * engine.runChainSync (a blocking wait for a chain that goes asynchronous) called from inside a
 * ChainListener's chainDone returns the chain's completion, as a synchronous node:fs call made
 * inside a node:fs callback returns: the listener is the program's code, and the engine calls it
 * from its pump (the event-loop watcher or the between-turn delivery).
 *
 * hunt23 (session 23): on the io_uring engine the wait never returned and spun a core (3 of 3
 * runs killed at 10 s): the listener runs inside UringEngine.#reap, whose #reaping guard makes
 * the wait's own pump() reap nothing, so the inner chain's CQE is never processed and waitUntil
 * goes round for ever (io_uring_enter answers at once: a CQE is there). The threads engine
 * returns (cachemiss, ~190 ms with the thread's start); a runChainSync in a Promise continuation
 * returns on both. Each run is a child process with a time limit. Since then each nested reap
 * copies its CQEs into buffers of its own, and a wait's pump inside a listener reaps.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;

const SOURCE = `
import { Engine, ChainBuilder } from ${JSON.stringify(INDEX)};
import { readFileSync, stat } from 'node:fs';
const engine = new Engine();
function sleepChain(ns) {
  const chain = new ChainBuilder(engine.memory, { dataBytes: 64 });
  const timespec = chain.buffer(16);
  new DataView(timespec.bytes.buffer, timespec.bytes.byteOffset, 16).setBigInt64(8, ns, true);
  chain.atom('nanosleep', [timespec, 0]);
  return chain;
}
const node = await new Promise((resolve) => stat('/', () => resolve(readFileSync('/proc/self/comm', 'utf8').length > 0)));
const inner = await new Promise((resolve) => {
  const submitted = engine.submit(sleepChain(1_000_000n).first, {
    chainDone() {
      const done = engine.runChainSync(sleepChain(2_000_000n).first);
      resolve({ result: Number(done.result), mode: done.mode });
    },
  });
  if (submitted !== 0) resolve('the outer chain did not go asynchronous: ' + submitted);
});
console.log(JSON.stringify({ node, inner }));
await engine.close();
process.exit(0);
`;

for (const engine of ['io_uring', 'threads'] as const) {
  test(`${engine}: runChainSync inside a chain listener returns the inner chain's completion, as a sync node:fs call in a callback`, {
    timeout: 30_000,
  }, async () => {
    const child = await runChild(SOURCE, 10_000, { env: { SYSLET_AIO_ENGINE: engine } });
    assert.equal(child.timedOut, false, `the wait never returned: ${child.stderr}`);
    assert.deepEqual(JSON.parse(child.stdout.trim().split('\n').at(-1) ?? ''), { node: true, inner: { result: 0, mode: 'cachemiss' } });
  });
}
