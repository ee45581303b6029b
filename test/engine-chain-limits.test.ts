// The engine bounds every chain: after maxAtomsPerChain atoms (default 1 << 20) in all — inline
// and on a cachemiss thread together — it stops with reason `limit`; and the inline path runs at
// most inlineBudget atoms (default 4096) before handing the rest of a long chain to a cachemiss
// thread, so a loop cannot monopolise the caller's thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { DEFAULT_EXECUTOR_OPTIONS } from '../engine/executor.js';
import { STOP, SYSLET_STOP_ON_ZERO } from '../engine/atom.js';

test('the defaults: 1 << 20 atoms per chain, an inline budget of 4096', () => {
  assert.equal(DEFAULT_EXECUTOR_OPTIONS.maxAtomsPerChain, 1 << 20);
  assert.equal(DEFAULT_EXECUTOR_OPTIONS.inlineBudget, 4096);
});

test('an endless inline loop stops at maxAtomsPerChain with reason limit', () => {
  const engine = new Engine({ maxAtomsPerChain: 100 });
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const add = chain.atom('umem_add', [counter.ref, 1]);
  chain.link(add, add);
  const done = engine.runChainSync(chain.first);
  assert.equal(done.mode, 'inline');
  assert.equal(done.stop, STOP.limit);
  assert.equal(done.atoms, 100);
  assert.equal(counter.value, 100);
  assert.equal(done.last, add.at);
});

test('past the inline budget, the rest of the chain runs on a cachemiss thread', async (t) => {
  const engine = new Engine({ inlineBudget: 5, threads: 1 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(20);
  // counter -= 1 until it reaches 0: 20 atoms.
  const step = chain.atom('umem_add', [counter.ref, -1], { flags: SYSLET_STOP_ON_ZERO });
  chain.link(step, step);
  const running = engine.runChain(chain.first);
  assert.equal(counter.value, 15, 'exactly the budget ran inline before the hand-off');
  const done = await running;
  assert.equal(done.mode, 'cachemiss');
  assert.equal(done.stop, STOP.flag);
  assert.equal(done.atoms, 20, 'inline and cachemiss atoms are counted together');
  assert.equal(counter.value, 0);
});

test('the atom limit counts inline and cachemiss atoms together', async (t) => {
  const engine = new Engine({ inlineBudget: 10, maxAtomsPerChain: 50, threads: 1 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const add = chain.atom('umem_add', [counter.ref, 1]);
  chain.link(add, add);
  const done = await engine.runChain(chain.first);
  assert.equal(done.mode, 'cachemiss');
  assert.equal(done.stop, STOP.limit);
  assert.equal(done.atoms, 50);
  assert.equal(counter.value, 50);
});

test('with the defaults, an endless loop runs 4096 atoms inline and stops at 1 << 20', { timeout: 15_000 }, async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const add = chain.atom('umem_add', [counter.ref, 1]);
  chain.link(add, add);
  const running = engine.runChain(chain.first);
  assert.equal(counter.value, 4096);
  const done = await running;
  assert.equal(done.stop, STOP.limit);
  assert.equal(done.atoms, 1 << 20);
  assert.equal(counter.value, 1 << 20);
});
