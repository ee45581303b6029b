// Arguments are read through their pointers when the atom executes, not when the chain is
// submitted or built: an earlier atom's result (or a value changed after building) feeds a later
// atom, and argument reading stops at the first NULL arg_ptr (copy_uatom's rule) — later slots
// are passed as 0 and never dereferenced.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { freshFile, tempDir } from './helpers/engine.js';

const AT_FDCWD = -100;

test('an earlier atom\'s result cell is a later atom\'s argument (openat → pread64 → close)', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const path = freshFile(tempDir(t), 'f.txt', new TextEncoder().encode('run-time arguments'));
  using chain = new ChainBuilder(engine.memory);
  const buffer = chain.buffer(64);
  const open = chain.atom('openat', [AT_FDCWD, chain.cstring(path), 0, 0]);
  const read = chain.atom('pread64', [open, buffer, 64, 0]);
  const close = chain.atom('close', [open]);
  const done = engine.runChainSync(chain.first);
  assert.equal(done.atoms, 3);
  assert.ok(Number(open.result.value) > 2, `fd ${open.result.value}`);
  assert.equal(read.result.value, 18);
  assert.equal(new TextDecoder().decode(buffer.bytes.subarray(0, 18)), 'run-time arguments');
  assert.equal(close.result.value, 0, 'close got the fd openat produced');
});

test('a shared cell written by one atom is read by the next (umem_add feeds umem_add)', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const a = chain.cell(10);
  const b = chain.cell(0);
  const first = chain.atom('umem_add', [a.ref, 5]);
  // The increment is first's result cell, which holds 0 when the chain is built and 15 when this runs.
  chain.atom('umem_add', [b.ref, first]);
  engine.runChainSync(chain.first);
  assert.equal(a.value, 15);
  assert.equal(b.value, 15);
});

test('a value changed after building and before submitting is the one used', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(0);
  const inc = chain.cell(1);
  chain.atom('umem_add', [counter.ref, inc]);
  inc.value = 40;
  engine.runChainSync(chain.first);
  inc.value = 2;
  engine.runChainSync(chain.first);
  assert.equal(counter.value, 42);
});

test('argument reading stops at the first NULL arg_ptr; later slots are 0 and never dereferenced', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(7);
  const ignored = chain.cell(1000);
  const atom = chain.atom('umem_add', [counter.ref, null, ignored]);
  const done = engine.runChainSync(chain.first);
  assert.equal(atom.result.value, 7, 'inc was read as 0 (NULL arg_ptr), not from the third slot');
  assert.equal(counter.value, 7);
  // A third slot pointing nowhere is not even looked at.
  chain.setArgPointer(atom, 2, 0xdead_0000);
  const again = engine.runChainSync(chain.first);
  assert.equal(again.result, 7, 'no -EFAULT: the pointer after the NULL is never read');
  assert.equal(done.stop, again.stop);
});

test('an arg_ptr that is NULL from the start passes 0 for every argument', () => {
  const engine = new Engine();
  using chain = new ChainBuilder(engine.memory);
  // umem_add(NULL, ...) must fault: address 0 is never engine memory.
  const atom = chain.atom('umem_add', [null, 5]);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, -14);
});
