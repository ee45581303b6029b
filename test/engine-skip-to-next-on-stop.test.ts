// SYSLET_SKIP_TO_NEXT_ON_STOP turns a stop into a branch: when the atom's stop condition holds,
// execution continues at the atom laid right after it in memory (its address + 88) instead of
// ending; when it does not hold, execution follows `next` as usual. Without a stop condition the
// flag does nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, STOP, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';

const BRANCH = SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP;

/**
 * [test: umem_add(counter, inc), BRANCH, next → onSuccess]
 * [onError: umem_add(errors, 1), next NULL]      ← test's address + 88
 * [onSuccess: umem_add(successes, 1), next NULL]
 */
function branch(engine: Engine, inc: number) {
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const errors = chain.cell(0);
  const successes = chain.cell(0);
  const probe = chain.atom('umem_add', [counter.ref, inc], { flags: BRANCH });
  const onError = chain.atom('umem_add', [errors.ref, 1]);
  const onSuccess = chain.atom('umem_add', [successes.ref, 1]);
  chain.link(probe, onSuccess);
  chain.link(onError, null);
  chain.link(onSuccess, null);
  assert.equal(onError.at, probe.at + ATOM.size, 'the error branch is laid right after the test atom');
  const done = engine.runChainSync(chain.first);
  return { done, errors: errors.number, successes: successes.number, onError: onError.at, onSuccess: onSuccess.at };
}

test('on stop, execution continues at the atom right after (the true branch)', () => {
  const engine = new Engine();
  const run = branch(engine, -1);
  assert.equal(run.errors, 1);
  assert.equal(run.successes, 0);
  assert.equal(run.done.last, run.onError);
  assert.equal(run.done.atoms, 2);
  assert.equal(run.done.stop, STOP.end, 'a skip is not a stop: the chain ends normally at the branch');
});

test('without a stop, execution follows next (the false branch)', () => {
  const engine = new Engine();
  const run = branch(engine, 1);
  assert.equal(run.errors, 0);
  assert.equal(run.successes, 1);
  assert.equal(run.done.last, run.onSuccess);
  assert.equal(run.done.atoms, 2);
});

test('SKIP_TO_NEXT_ON_STOP skips even when next is NULL', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const probe = chain.atom('close', [-1], { flags: BRANCH });
  const after = chain.atom('umem_add', [counter.ref, 5]);
  chain.link(probe, null);
  const done = engine.runChainSync(chain.first);
  assert.equal(probe.result.value, -9);
  assert.equal(after.result.value, 5);
  assert.equal(done.last, after.at);
});

test('SKIP_TO_NEXT_ON_STOP without a stop condition never skips', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const skipped = chain.cell(0);
  const probe = chain.atom('close', [-1], { flags: SYSLET_SKIP_TO_NEXT_ON_STOP });
  const laidNext = chain.atom('umem_add', [skipped.ref, 1]);
  const target = chain.atom('getpid', []);
  chain.link(probe, target);
  const done = engine.runChainSync(chain.first);
  assert.equal(probe.result.value, -9);
  assert.equal(laidNext.result.value, 0, 'the atom laid next did not run');
  assert.equal(skipped.number, 0);
  assert.equal(target.result.value, process.pid);
  assert.equal(done.last, target.at);
});

test('consecutive branches each take the atom right after them', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  // Three failing atoms in a row, each skipping to the next one in memory, then a final atom.
  const a = chain.atom('close', [-1], { flags: BRANCH });
  const b = chain.atom('close', [-1], { flags: BRANCH });
  const c = chain.atom('close', [-1], { flags: BRANCH });
  const end = chain.atom('umem_add', [counter.ref, 1]);
  for (const atom of [a, b, c]) chain.link(atom, null);
  const done = engine.runChainSync(chain.first);
  assert.deepEqual([a, b, c].map((atom) => atom.result.value), [-9, -9, -9]);
  assert.equal(end.result.value, 1);
  assert.equal(done.atoms, 4);
  assert.equal(done.last, end.at);
});
