/**
 * The ring stats of a burst (fs/stat-burst.ts) keep their records of engine memory (a struct
 * statx and a path area each, allocated 64 at a time) between calls: burst after burst, the
 * records held stay those of the most stats ever in the ring at once, every one is idle again
 * once its burst has answered, and a record that answered one path answers the next one as Node
 * does — the path written over the last one's, errors and successes in any order, Stats and
 * BigIntStats alike.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { sharedEngine } from '../fs/index.js';
import { RING_STAT_SLAB, ringStatRecords } from '../fs/stat-burst.js';
import { outcomeShape, scratch, type FsPromises, type Outcome } from './helpers/fs-implementations.js';

function ringMakesStatx(): string | undefined {
  const info = sharedEngine().asyncEngine;
  if (info.kind !== 'io_uring') return `the shared engine uses cachemiss threads (${info.reason})`;
  return info.calls.includes('statx') ? undefined : 'this kernel\'s ring has no IORING_OP_STATX';
}

type Call = (fs: FsPromises) => Promise<unknown>;

async function burst(fs: FsPromises, calls: readonly Call[]): Promise<Outcome[]> {
  const settled = await Promise.allSettled(calls.map((call) => call(fs)));
  return settled.map((one) => (one.status === 'fulfilled' ? { ok: true, value: one.value } : { ok: false, error: one.reason as unknown }));
}

test('bursts of stats reuse the same ring records and answer each path as node:fs/promises', { skip: ringMakesStatx() }, async (t) => {
  const dir = scratch(t, 'stat-burst-reuse');
  // Long names and short ones alternate, so that a shorter path is written over a longer one.
  const files = Array.from({ length: 300 }, (_, i) => join(dir, i % 2 === 0 ? `f${i}` : `${'long-name-'.repeat(20)}${i}`));
  files.forEach((name, i) => writeFileSync(name, 'x'.repeat(i)));
  const engine = sharedEngine();
  // At most one record per call of a burst, allocated a slab at a time.
  const most = Math.ceil(files.length / RING_STAT_SLAB) * RING_STAT_SLAB;
  for (let round = 0; round < 6; round++) {
    const calls: Call[] = files.map((name, i) => {
      // Every fifth call a missing path, every seventh a bigint lstat: errors between successes.
      if (i % 5 === round % 5) return (fs) => fs.stat(`${name}.missing`);
      if (i % 7 === 0) return (fs) => fs.lstat(name, { bigint: true });
      return (fs) => fs.stat(name);
    });
    const node = await burst(nodeFs, calls);
    const syslet = await burst(sysletFs, calls);
    for (let index = 0; index < calls.length; index++) {
      assert.deepStrictEqual(outcomeShape(syslet[index] as Outcome), outcomeShape(node[index] as Outcome), `round ${round}, call ${index}`);
    }
    const { records, idle } = ringStatRecords(engine);
    assert.ok(records > 0, 'the burst sent stats to the ring');
    assert.equal(idle, records, `round ${round}: every record is idle once the burst has answered`);
    // 1,800 ring-bound calls over six bursts: the records held are the most in flight at once,
    // not one per call.
    assert.ok(records <= most, `round ${round}: ${records} records held`);
  }
});
