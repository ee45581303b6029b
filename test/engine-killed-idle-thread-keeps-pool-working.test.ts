// Killing an idle cachemiss thread (engine.killCachemissThread, fault injection) gives back its
// share of the pool's counters: it was counted live, idle (waiting for work) and holding an
// active slot. Before the fix the pool kept counting it idle, so it started no thread for the
// next chain, which then never completed (issue 15 item 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';

async function asyncGetpid(engine: Engine): Promise<number> {
  using chain = new ChainBuilder(engine.memory);
  chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  const done = await engine.runChain(chain.first);
  return Number(done.result);
}

test('after the only idle thread is killed, the next SYSLET_ASYNC chain still completes', { timeout: 20_000 }, async (t) => {
  const engine = new Engine({ threads: 2, minThreads: 0 });
  t.after(() => engine.close());
  await engine.warm(1);
  assert.equal(engine.threads, 1);
  await delay(50); // let it reach its wait for work
  assert.equal(await engine.killCachemissThread(0), true);
  assert.equal(await asyncGetpid(engine), process.pid);
  assert.equal(engine.inflight, 0);
});

test('killing both kept idle threads, twice over: replacements start and chains keep completing', { timeout: 30_000 }, async (t) => {
  const engine = new Engine({ threads: 4, minThreads: 2 });
  t.after(() => engine.close());
  for (let round = 0; round < 2; round++) {
    await engine.warm(2);
    await delay(50);
    for (let kill = 0; kill < 2; kill++) assert.equal(await engine.killCachemissThread(0), true);
    const results = await Promise.all([asyncGetpid(engine), asyncGetpid(engine), asyncGetpid(engine)]);
    assert.deepEqual(results, [process.pid, process.pid, process.pid]);
    assert.equal(engine.inflight, 0);
  }
});
