// More blocking chains than the io_uring engine keeps in its ring: the ring takes as many requests
// as its completion queue has room for (less a reserve for the engine's own cancels), the rest go
// to cachemiss threads, and every chain completes exactly once with its call's result.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type ChainListener } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import type { Word } from '../engine/native/index.js';

const SLEEP_NS = 20_000_000n;
const BEYOND_THE_RING = 200;

test('beyond what the ring holds, chains go to threads, and each completes once', { timeout: 120_000 }, async (t) => {
  const engine = new Engine({ engine: 'io_uring', threads: 4, minThreads: 0 });
  t.after(() => engine.close());
  const info = engine.asyncEngine;
  if (info.kind !== 'io_uring') return t.skip(`io_uring unavailable: ${info.reason}`);
  // The engine keeps 64 completion-queue entries for its own requests (cancels).
  const ringHolds = info.cqEntries - 64;
  const chains = ringHolds + BEYOND_THE_RING;
  using chain = new ChainBuilder(engine.memory, { maxAtoms: chains, dataBytes: chains * 32 + 64 });
  const timespec = chain.buffer(16);
  new DataView(timespec.bytes.buffer, timespec.bytes.byteOffset, 16).setBigInt64(8, SLEEP_NS, true);
  const atoms = Array.from({ length: chains }, () => chain.atom('nanosleep', [timespec, null]));
  for (const atom of atoms) chain.link(atom, null);
  const completions = new Uint32Array(chains);
  const results: Word[] = new Array<Word>(chains).fill(-1);
  let done = 0;
  let allDone: () => void = () => {};
  const finished = new Promise<void>((resolve) => (allDone = resolve));
  atoms.forEach((atom, i) => {
    const listener: ChainListener = {
      chainDone: (last, result) => {
        assert.equal(last, atom.at);
        completions[i] = (completions[i] as number) + 1;
        results[i] = result;
        if (++done === chains) allDone();
      },
    };
    assert.equal(engine.submit(atom.at, listener), 0, `chain ${i} went asynchronous`);
  });
  assert.equal(engine.ringInFlight, ringHolds, 'the ring is full');
  assert.equal(engine.inflight, chains);
  await finished;
  // A second completion would come after the first: give it every chance to.
  engine.pump();
  await new Promise((resolve) => setTimeout(resolve, 100));
  engine.pump();
  assert.deepEqual([...new Set(completions)], [1], 'every chain completed exactly once');
  assert.deepEqual([...new Set(results)], [0], 'every sleep returned 0');
  assert.equal(engine.inflight, 0);
  assert.equal(engine.ringInFlight, 0);
  assert.ok(engine.threads >= 1, 'threads took the chains the ring could not');
});
