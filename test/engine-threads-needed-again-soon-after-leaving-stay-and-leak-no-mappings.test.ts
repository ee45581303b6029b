// Every cachemiss thread that ends leaves koffi's call memory mapped (koffi never deletes its
// per-isolate instance data: a 2 MiB stack with guard pages and a 1 MiB heap, three mappings), so
// a pool whose load came in bursts further apart than its idle time started and ended its extra
// threads in every burst and the process's mappings grew without end (hunt27; measured 276 -> 583
// over 30 bursts of 4 blocking chains, and on towards vm.max_map_count, when every mmap fails).
// Now a thread needed again within a minute of one leaving raises the count the pool keeps alive
// while idle (engine/pool-rehire.ts): after the first bursts the same threads serve every burst,
// and the mappings stop growing. (The check on mappings is loose — V8 maps and unmaps heap pages
// of its own — and a leak of about 4 x 3 mappings a burst would still fail it.)
//
// How many threads a burst gets is the governor's (since session 30 a thread past one a core is
// started only when no live thread is free): on 2 cores a burst of 4 two-millisecond sleeps may be
// served by 2 threads for a while and by 4 later (CI: 2 x 7 bursts, then 4). What this test pins
// is that the threads a burst got are kept through the idle gaps: from the 10th burst on, at least
// a core's worth (or the burst) is alive after every gap, and the count never falls. Without the
// rehire every gap ended them all (minThreads 0).
import { availableParallelism } from 'node:os';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';

const BURST = 4;
const IDLE_MS = 20;

function mappings(): number {
  return readFileSync('/proc/self/maps', 'utf8').trim().split('\n').length;
}

test('threads needed again soon after leaving are kept: bursts further apart than the idle time reuse them and leave no mappings behind', { timeout: 120_000 }, async () => {
  const engine = new Engine({ engine: 'threads', threads: BURST, minThreads: 0, idleTimeMs: IDLE_MS });
  try {
    using sleeper = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 1024 });
    const timespec = sleeper.buffer(16);
    // 2 ms in nanosleep: a blocking call, handed to a thread.
    new DataView(timespec.bytes.buffer, timespec.bytes.byteOffset, 16).setBigInt64(8, 2_000_000n, true);
    sleeper.atom('nanosleep', [timespec, 0]);
    const counts: { mappings: number; threads: number }[] = [];
    for (let round = 0; round < 30; round++) {
      const ends = await Promise.all(Array.from({ length: BURST }, () => engine.runChain(sleeper.first)));
      assert.ok(ends.every((end) => end.result === 0));
      // Seven idle times: a thread not kept has left by now.
      await sleep(IDLE_MS * 7);
      counts.push({ mappings: mappings(), threads: engine.threads });
    }
    const later = counts.slice(10);
    const kept = Math.min(BURST, availableParallelism());
    const alive = later.map((count) => count.threads).join(',');
    assert.ok(later.every((count) => count.threads >= kept), `at least ${kept} threads alive after each idle gap: ${alive}`);
    assert.ok(later.every((count, at) => at === 0 || count.threads >= (later[at - 1]?.threads ?? 0)), `no kept thread ended in an idle gap: ${alive}`);
    const growth = (counts.at(-1)?.mappings ?? 0) - (counts[9]?.mappings ?? 0);
    assert.ok(growth < 60, `mappings grew by ${growth} over the last 20 bursts (${counts.map((count) => count.mappings).join(',')})`);
  } finally {
    await engine.close();
  }
});
