/**
 * read_size's result is a signed 64-bit word, as every atom's (docs/syslets.md §1 "Results are
 * exact words", §2.4): when `chunk` is 2^63 or more and fstat's `st_size` is 0 (procfs, a zeroed
 * stat area), read_size returns `chunk`, and the chain must see the same word the result cell and
 * plugin.run report. Found by the plugins fuzz (test/fuzz/plugins.ts --known, seed 3, case 295):
 * the run reports result -1 (errno 'EPERM') for chunk = 2^64 - 1, yet STOP_ON_NEGATIVE did not
 * fire and the chain went on to the next atom (stop 'end'), because engine/private-syscalls.ts
 * readSize returned the unsigned bigint 2^64 - 1 (`want = big <= MAX_SAFE ? Number(big) : big`)
 * where umem_add returns BigInt.asIntN(64, sum); stopFlagFires tested that positive bigint.
 *
 * Fixed in session 20: readSize answers BigInt.asIntN(64, …), a number when it fits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, definePlugin, SYSLET_STOP_ON_NEGATIVE } from '../index.js';

const plugin = definePlugin({
  name: 'test.readSizeHugeChunk',
  params: { chunk: 'size' },
  cells: { want: 0 },
  scratch: { st: 144 },
  atoms: [
    { id: 'size', call: 'read_size', args: [{ ref: 'want' }, { scratch: 'st' }, 0, { param: 'chunk' }], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'after', call: 'getpid', args: [] },
  ],
});

test('read_size with a chunk of 2^63 or more answers the negative word that STOP_ON_NEGATIVE sees', async () => {
  const engine = new Engine();
  try {
    for (const chunk of [2n ** 64n - 1n, 2n ** 63n, -2]) {
      const outcome = await plugin.run(engine, { chunk });
      const expected = BigInt.asIntN(64, BigInt(chunk));
      assert.equal(BigInt(outcome.byId.size.result ?? 0), expected, `chunk ${chunk}: the result is the signed word`);
      assert.equal(BigInt(outcome.cells.want), expected, `chunk ${chunk}: *want holds the same word`);
      assert.equal(outcome.stop, 'flag', `chunk ${chunk}: STOP_ON_NEGATIVE fired on it`);
      assert.equal(outcome.byId.after.executed, false, `chunk ${chunk}: the chain stopped there`);
    }
  } finally {
    await engine.close();
  }
});
