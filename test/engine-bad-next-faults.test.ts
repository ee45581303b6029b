// A `next` (or a SKIP_TO_NEXT_ON_STOP target, address + 88) that does not hold a whole atom in
// engine memory ends the chain with stop reason `fault`: the atom that pointed there takes -EFAULT
// as its result, replacing what its call returned, and nothing is executed at the bad address.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { ATOM, STOP, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE } from '../engine/atom.js';
import { addressOf, EFAULT } from '../engine/native/index.js';
import { SYS } from './helpers/engine.js';

test('next pointing outside engine memory: -EFAULT in that atom, stop `fault`', () => {
  const engine = new Engine();
  const outside = Buffer.alloc(ATOM.size * 2);
  for (const next of [addressOf(outside), 0x1000, 2 ** 46]) {
    using chain = new ChainBuilder(engine.memory);
    const counter = chain.cell(0);
    const atom = chain.atom('umem_add', [counter.ref, 3]);
    chain.setField(atom, 'next', next);
    const done = engine.runChainSync(chain.first);
    assert.equal(counter.value, 3, 'the call itself ran');
    assert.equal(atom.result.value, -EFAULT, 'its result became -EFAULT');
    assert.equal(done.stop, STOP.fault);
    assert.equal(done.result, -EFAULT);
    assert.equal(done.last, atom.at);
    assert.equal(done.atoms, 1);
  }
});

test('next pointing at an atom that straddles the end of a region faults', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', []);
  chain.setField(atom, 'next', chain.region.end - ATOM.size + 8);
  const done = engine.runChainSync(chain.first);
  assert.equal(done.stop, STOP.fault);
  assert.equal(atom.result.value, -EFAULT);
});

test('a skip target past the end of the region faults instead of running', () => {
  const engine = new Engine();
  // One atom and its result cell alone in a 96-byte region: at address + 88 no whole atom fits.
  const region = engine.alloc(ATOM.size + 8);
  const atomAt = region.start;
  const resultAt = region.start + ATOM.size;
  const view = region.view;
  view.setBigUint64(ATOM.flags, BigInt(SYSLET_STOP_ON_NEGATIVE | SYSLET_SKIP_TO_NEXT_ON_STOP), true);
  view.setBigUint64(ATOM.nr, BigInt(SYS.close), true);
  view.setBigUint64(ATOM.ret_ptr, BigInt(resultAt), true);
  // close's argument: the result cell doubles as the fd cell, holding -1.
  view.setBigInt64(ATOM.size, -1n, true);
  view.setBigUint64(ATOM.arg_ptr, BigInt(resultAt), true);
  const last = engine.async_exec(atomAt);
  assert.equal(last, BigInt(atomAt));
  assert.equal(engine.lastInlineStop, STOP.fault);
  assert.equal(view.getBigInt64(ATOM.size, true), BigInt(-EFAULT), 'close gave -EBADF, replaced by -EFAULT');
});

test('with a NULL ret_ptr the fault is still reported in the completion', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const atom = chain.atom('getpid', [], { ret: null });
  chain.setField(atom, 'next', 0x2000);
  const done = engine.runChainSync(chain.first);
  assert.equal(done.stop, STOP.fault);
  assert.equal(done.result, -EFAULT);
});
