/**
 * engine.alloc refused because the region table is full (RangeError "too many memory regions")
 * keeps no memory. It allocated the native block first and then found no slot for it, and the
 * block was never freed: 8 KiB per refused call for the POSIX layer's instance slabs, which a
 * program retrying on EAGAIN makes in a loop (session 11 sweep; 82 MiB of RSS for 10,000 refused
 * aio_reads). Freeing the block at once was not enough: the allocator kept about half of each.
 * The table is now checked before anything is allocated.
 *
 * The bound is far from both figures (before: ≥ 80 MiB for these 20,000 refusals; after: < 1 MiB
 * once warm), so the test does not depend on the allocator's or V8's exact behaviour.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../index.js';
import type { Region } from '../engine/memory.js';
import { fillRegionTable } from './helpers/region-table.js';

const REFUSALS = 20_000;
const BOUND_MIB = 40;

test(`${REFUSALS} refused engine.alloc(8192) calls with the region table full grow the RSS by less than ${BOUND_MIB} MiB`, async () => {
  const engine = new Engine({ engine: 'threads' });
  let regions: Region[] = [];
  try {
    regions = fillRegionTable(engine);
    const refuse = (count: number): number => {
      let refused = 0;
      for (let i = 0; i < count; i++) {
        try {
          engine.alloc(8192);
        } catch (error) {
          if (error instanceof RangeError) refused++;
        }
      }
      return refused;
    };
    // Warm: the code paths compiled, the error objects' heap in use.
    assert.equal(refuse(1000), 1000);
    const before = process.memoryUsage().rss;
    assert.equal(refuse(REFUSALS), REFUSALS, 'every alloc with the table full is a RangeError');
    const grownMiB = (process.memoryUsage().rss - before) / 2 ** 20;
    assert.ok(grownMiB < BOUND_MIB, `the RSS grew by ${grownMiB.toFixed(1)} MiB over ${REFUSALS} refusals`);
  } finally {
    for (const region of regions) engine.free(region);
    await engine.close();
  }
});
