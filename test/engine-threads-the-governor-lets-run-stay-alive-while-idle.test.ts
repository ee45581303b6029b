// On the threads engine, the cachemiss threads the governor lets run chains stay alive while idle
// (up to one more than the cores), not only the two the engine starts with: a thread costs
// 50-60 ms of CPU to start and as much again in JIT compiles, and a program that blocks in bursts
// (the bench's P2, run in rounds with seconds between them) started its extra threads again in
// every burst, once each had waited out its idle time. Chains that sleep in the kernel get every
// thread of the pool from the governor; after they are done, and well past the idle time, the
// threads it let run are still alive. (No timing is asserted: the threads never leave, however
// slow the machine.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { availableParallelism } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC } from '../engine/atom.js';

const POOL = 4;
const IDLE_MS = 50;
/** More than the governor must see before it keeps threads (GOVERNED_KEEP_AFTER). */
const CHAINS = 160;

test('the threads the governor lets run stay alive while idle', { timeout: 120_000 }, async () => {
  const engine = new Engine({ engine: 'threads', threads: POOL, minThreads: 1, idleTimeMs: IDLE_MS });
  try {
    using sleeper = new ChainBuilder(engine.memory, { maxAtoms: 1 });
    const timespec = new Uint8Array(16);
    new DataView(timespec.buffer).setBigInt64(8, 5_000_000n, true);
    sleeper.atom('nanosleep', [sleeper.buffer(timespec), 0], { flags: SYSLET_ASYNC });
    for (let done = 0; done < CHAINS; done += POOL * 4) {
      const ends = await Promise.all(Array.from({ length: POOL * 4 }, () => engine.runChain(sleeper.first)));
      assert.ok(ends.every((end) => end.stop === STOP.end && end.result === 0));
    }
    // (Chains blocked in the kernel get every thread of the pool; under heavy load, a woken thread's
    // wait for a CPU counts as not blocked, and the bound may be lower: it is what is kept.)
    const bound = engine.activeSlots.bound;
    assert.ok(bound >= Math.min(POOL, availableParallelism()), `bound ${bound}`);
    const kept = Math.min(bound, availableParallelism() + 1);
    // Ten idle times: threads beyond the kept ones would have left (they did before, down to minThreads).
    await sleep(IDLE_MS * 10);
    assert.ok(engine.threads >= kept, `${engine.threads} threads alive after the idle time, want at least ${kept}`);
  } finally {
    await engine.close();
  }
});
