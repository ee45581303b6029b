// An atom whose flags word has a bit the ABI does not define (above 0xff, including the high 32
// bits of the 64-bit word) fails with -EINVAL without running its call, and the chain stops
// there with reason `fault`: the engine cannot guess what the caller meant.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC, SYSLET_VALID_FLAGS } from '../engine/atom.js';
import { EINVAL } from '../engine/native/index.js';

test('every defined flag bit is valid', () => {
  assert.equal(SYSLET_VALID_FLAGS, 0xff);
});

test('an undefined flag bit: -EINVAL, the call does not run, the chain stops with `fault`', () => {
  const engine = new Engine();
  for (const flags of [0x100, 0x8000_0000, 2n ** 32n, 2n ** 63n, 0x1fe]) {
    using chain = new ChainBuilder(engine.memory);
    const counter = chain.cell(0);
    const atom = chain.atom('umem_add', [counter.ref, 1]);
    const after = chain.atom('getpid', []);
    chain.setField(atom, 'flags', flags);
    const last = engine.async_exec(chain.first);
    const label = `flags 0x${flags.toString(16)}`;
    assert.equal(last, BigInt(atom.at), label);
    assert.equal(engine.lastInlineStop, STOP.fault, label);
    assert.equal(atom.result.value, -EINVAL, label);
    assert.equal(counter.value, 0, `${label}: umem_add did not run`);
    assert.equal(after.result.value, 0, `${label}: the chain stopped`);
  }
});

test('an undefined bit on a later atom stops the chain there, after the earlier atoms ran', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const first = chain.atom('getpid', []);
  const bad = chain.atom('getpid', [], { flags: 0x200 });
  const done = engine.runChainSync(chain.first);
  assert.equal(first.result.value, process.pid);
  assert.equal(bad.result.value, -EINVAL);
  assert.equal(done.atoms, 2);
  assert.equal(done.last, bad.at);
  assert.equal(done.stop, STOP.fault);
});

test('with SYSLET_ASYNC as well, the atom fails the same way on the cachemiss thread', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const atom = chain.atom('umem_add', [counter.ref, 1], { flags: SYSLET_ASYNC | 0x100 });
  const done = await engine.runChain(chain.first);
  assert.equal(done.result, -EINVAL);
  assert.equal(done.stop, STOP.fault);
  assert.equal(atom.result.value, -EINVAL);
  assert.equal(counter.value, 0);
});
