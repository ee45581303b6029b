// The governor lets as many cachemiss threads run chains as keep the cores busy, judged by how
// long a chain's thread was blocked, not by how long the chain took. Chains that sleep in the
// kernel (20 ms each) get every thread of the pool; chains as long but that never block (400
// getpid atoms, hundreds of µs of CPU) get about one thread per core. Before, any chain longer than
// 30 µs counted as blocked in I/O: the CPU-bound ones ran on every thread, and the pool grew to
// its size for work the cores could not run any faster (uncached reads on a fast disk, where
// the thread's own work is most of the time: 13 threads cost 40 µs of CPU per read, 2 threads
// 13-17 µs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC } from '../engine/atom.js';

const POOL = 8;
const CPU_ATOMS = 400;

test('the active-thread bound follows the share of time chains were blocked', { timeout: 120_000 }, async (t) => {
  const cores = availableParallelism();
  if (cores >= POOL) {
    t.skip(`needs fewer than ${POOL} cores to tell the bounds apart (has ${cores})`);
    return;
  }
  const engine = new Engine({ engine: 'threads', threads: POOL, idleTimeMs: 10_000 });
  t.after(() => engine.close());

  using sleeper = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const timespec = new Uint8Array(16);
  new DataView(timespec.buffer).setBigInt64(8, 20_000_000n, true);
  sleeper.atom('nanosleep', [sleeper.buffer(timespec), 0], { flags: SYSLET_ASYNC });
  for (let round = 0; round < 4; round++) {
    const ends = await Promise.all(Array.from({ length: POOL * 2 }, () => engine.runChain(sleeper.first)));
    assert.ok(ends.every((end) => end.stop === STOP.end && end.result === 0));
  }
  assert.ok(engine.activeSlots.bound >= POOL, `chains blocked in the kernel may run on every thread (bound ${engine.activeSlots.bound})`);

  using spinner = new ChainBuilder(engine.memory, { maxAtoms: CPU_ATOMS, dataBytes: CPU_ATOMS * 8 });
  for (let i = 0; i < CPU_ATOMS; i++) spinner.atom('getpid', [], { flags: i === 0 ? SYSLET_ASYNC : 0 });
  for (let round = 0; round < 10; round++) {
    const ends = await Promise.all(Array.from({ length: POOL * 2 }, () => engine.runChain(spinner.first)));
    assert.ok(ends.every((end) => end.stop === STOP.end && end.atoms === CPU_ATOMS));
  }
  // (On a loaded machine a thread is now and then blocked a moment in such a chain too — a GC
  // pause waiting for its helpers, a page fault — so the bound may be one over the cores.)
  const bound = engine.activeSlots.bound;
  assert.ok(bound >= cores && bound <= cores + 1 && bound < POOL, `chains that never block run on about one thread per core (bound ${bound}, ${cores} cores)`);
});
