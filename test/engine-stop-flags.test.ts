// The four STOP_ON_* flags, alone and in every combination, test the result of the atom that has
// just executed (the v3 semantics, not v1's "previous atom"): a chain stops there, reports stop
// reason `flag`, and the atom after it never runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import {
  STOP, SYSLET_STOP_MASK, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NONZERO, SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO,
} from '../engine/atom.js';

const STOP_FLAGS = [
  { flag: SYSLET_STOP_ON_NONZERO, value: 0x08, fires: (r: number) => r !== 0 },
  { flag: SYSLET_STOP_ON_ZERO, value: 0x10, fires: (r: number) => r === 0 },
  { flag: SYSLET_STOP_ON_NEGATIVE, value: 0x20, fires: (r: number) => r < 0 },
  { flag: SYSLET_STOP_ON_NON_POSITIVE, value: 0x40, fires: (r: number) => r <= 0 },
] as const;
const RESULTS = [-5, 0, 7];

/**
 * Runs [umem_add(counter = 0, inc) with `flags`][getpid] inline: umem_add returns exactly `inc`,
 * so the first atom's result is under the test's control.
 */
function runTwoAtoms(engine: Engine, inc: number, flags: number): { stop: number; last: number; first: number; second: number; secondRan: boolean; result: number | bigint } {
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const first = chain.atom('umem_add', [counter.ref, inc], { flags });
  const second = chain.atom('getpid', []);
  const done = engine.runChainSync(chain.first);
  assert.equal(done.mode, 'inline');
  assert.equal(first.result.value, inc, 'umem_add returned the new counter value');
  return { stop: done.stop, last: done.last, first: first.at, second: second.at, secondRan: second.result.value === process.pid, result: done.result };
}

test('the flag values are the 2007 ABI values', () => {
  for (const { flag, value } of STOP_FLAGS) assert.equal(flag, value);
  assert.equal(SYSLET_STOP_MASK, 0x78);
  assert.equal(SYSLET_STOP_MASK, STOP_FLAGS.reduce((mask, { flag }) => mask | flag, 0));
});

test('each stop flag alone stops exactly when its condition holds on the result', () => {
  const engine = new Engine();
  for (const { flag, fires } of STOP_FLAGS) {
    for (const inc of RESULTS) {
      const run = runTwoAtoms(engine, inc, flag);
      const label = `flag 0x${flag.toString(16)}, result ${inc}`;
      if (fires(inc)) {
        assert.equal(run.stop, STOP.flag, label);
        assert.equal(run.last, run.first, `${label}: the stopping atom is the last`);
        assert.equal(run.result, inc, label);
        assert.equal(run.secondRan, false, `${label}: the next atom must not run`);
      } else {
        assert.equal(run.stop, STOP.end, label);
        assert.equal(run.last, run.second, label);
        assert.equal(run.secondRan, true, `${label}: the chain goes on`);
      }
    }
  }
});

test('every combination of stop flags stops when any of its conditions holds', () => {
  const engine = new Engine();
  for (let subset = 0; subset < 16; subset++) {
    const chosen = STOP_FLAGS.filter((_, bit) => (subset & (1 << bit)) !== 0);
    const flags = chosen.reduce((mask, { flag }) => mask | flag, 0);
    for (const inc of RESULTS) {
      const expectStop = chosen.some(({ fires }) => fires(inc));
      const run = runTwoAtoms(engine, inc, flags);
      const label = `flags 0x${flags.toString(16)}, result ${inc}`;
      assert.equal(run.stop, expectStop ? STOP.flag : STOP.end, label);
      assert.equal(run.secondRan, !expectStop, label);
    }
  }
});

test('the stop test reads the just-executed atom, not the previous one', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const negative = chain.atom('umem_add', [counter.ref, -3]);
  // Counter goes -3 → 4: this atom's own result is positive, so STOP_ON_NEGATIVE must not fire
  // even though the previous atom's result was negative.
  const positive = chain.atom('umem_add', [counter.ref, 7], { flags: SYSLET_STOP_ON_NEGATIVE });
  const after = chain.atom('getpid', []);
  const done = engine.runChainSync(chain.first);
  assert.equal(negative.result.value, -3);
  assert.equal(positive.result.value, 4);
  assert.equal(after.result.value, process.pid);
  assert.equal(done.stop, STOP.end);
  assert.equal(done.atoms, 3);
});

test('a stop flag on the final atom reports `flag`, not `end`', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const only = chain.atom('umem_add', [counter.ref, 0], { flags: SYSLET_STOP_ON_ZERO });
  const last = engine.async_exec(chain.first);
  assert.equal(last, BigInt(only.at));
  assert.equal(engine.lastInlineStop, STOP.flag);
});

test('a failing call without stop flags does not stop the chain', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const bad = chain.atom('close', [-1]);
  const after = chain.atom('getpid', []);
  const done = engine.runChainSync(chain.first);
  assert.equal(bad.result.value, -9);
  assert.equal(after.result.value, process.pid);
  assert.equal(done.stop, STOP.end);
});
