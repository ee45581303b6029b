/**
 * A private call (umem_add) works on the regions its own pointer arguments were confined to, also
 * right after a kernel call (pread64) whose pointers lay elsewhere: the confinement check records
 * regions only for private calls (a kernel call is given addresses, and storing its regions cost
 * a write barrier per pointer), so nothing a kernel call checked may stand in for them. Counters
 * in one region, another chain's region and a registered Buffer, read into buffers in yet others.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, closeSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';

test('umem_add after pread64 adds to its own counter, wherever the read went', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-regions-'));
  const path = join(dir, 'data');
  const content = Buffer.from(Array.from({ length: 64 }, (_, i) => (i * 5 + 3) & 0xff));
  writeFileSync(path, content);
  const fd = openSync(path, 'r');
  const engine = new Engine();
  t.after(() => {
    engine.close();
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  });
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 4 });
  using elsewhere = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const registered = Buffer.alloc(32);
  const region = engine.register(registered);
  t.after(() => engine.unregister(registered));
  const inChain = chain.buffer(32);
  const counterHere = chain.cell(10);
  const counterThere = elsewhere.cell(100);
  const one = chain.cell(1);
  // pread into a registered Buffer, then add to a counter in another chain's region; pread into
  // the chain's own region, then add to a counter beside it.
  chain.atom('pread64', [fd, { address: region.start }, 32, 0]);
  chain.atom('umem_add', [counterThere.ref, one]);
  chain.atom('pread64', [fd, inChain, 32, 32]);
  chain.atom('umem_add', [counterHere.ref, one]);
  for (let run = 1; run <= 3; run++) {
    engine.runChainSync(chain.first);
    assert.equal(counterThere.value, 100 + run, `run ${run}: the counter in the other region`);
    assert.equal(counterHere.value, 10 + run, `run ${run}: the counter beside the chain`);
  }
  assert.deepEqual(registered, content.subarray(0, 32));
  assert.deepEqual(Buffer.from(inChain.bytes), content.subarray(32, 64));
});

