// One-word results are exact everywhere a chain's result is reported (issue 14 item 7: a chain
// ending in umem_add(&x = 2^60, 1) reported 1152921504606847000 — a double — in runChain().result,
// the v2 ring entry and Completion.result, while the result cell held 2^60 + 1). A result is a
// number while it is a safe integer and a bigint beyond 2^53: inline, through a cachemiss
// thread's completion queue, in the v2 ring's result word, and to listeners.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine, type ChainListener } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { negotiateRing } from '../engine/ring.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import type { Word } from '../engine/native/index.js';

const CASES: readonly { start: Word; inc: Word; want: Word }[] = [
  { start: 2n ** 60n, inc: 1, want: 2n ** 60n + 1n },
  { start: -(2n ** 60n), inc: -1, want: -(2n ** 60n) - 1n },
  { start: 2 ** 53 - 2, inc: 1, want: 2 ** 53 - 1 }, // the largest safe integer stays a number
  { start: 2 ** 53 - 1, inc: 1, want: 2n ** 53n },
  { start: 2n ** 63n - 1n, inc: 1, want: -(2n ** 63n) }, // the wrap, read as signed
  { start: 2n ** 60n, inc: -(2 ** 52), want: 2n ** 60n - 2n ** 52n },
];

function addChain(engine: Engine, start: Word, inc: Word, flags = 0): ChainBuilder {
  const chain = new ChainBuilder(engine.memory);
  const x = chain.cell(start);
  chain.atom('umem_add', [x.ref, inc], { flags });
  return chain;
}

test('runChain().result, inline and on a cachemiss thread', async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  for (const { start, inc, want } of CASES) {
    for (const flags of [0, SYSLET_ASYNC]) {
      using chain = addChain(engine, start, inc, flags);
      const done = await engine.runChain(chain.first);
      assert.equal(done.mode, flags === 0 ? 'inline' : 'cachemiss');
      assert.equal(done.result, want, `${String(start)} + ${String(inc)} (${done.mode})`);
      assert.equal(chain.atoms[0]?.result.value, want, 'the result cell agrees');
    }
  }
});

test('listeners get the exact word from a cachemiss thread', async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  for (const { start, inc, want } of CASES) {
    using chain = addChain(engine, start, inc, SYSLET_ASYNC);
    const result = await new Promise<Word>((resolve) => {
      const listener: ChainListener = { chainDone: (_last, value) => resolve(value) };
      assert.equal(engine.submit(chain.first, listener), 0);
    });
    assert.equal(result, want);
  }
});

test('the v2 ring entry\'s result word and Completion.result', async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const ring = engine.alloc(48 * 4);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 48 * 4, capabilities: negotiateRing({ version: 2 }), reportInline: true }), 0);
  for (const { start, inc, want } of CASES) {
    for (const flags of [0, SYSLET_ASYNC]) {
      using chain = addChain(engine, start, inc, flags);
      engine.async_exec(chain.first);
      assert.equal(await engine.asyncWait(1), 1);
      const slot = engine.ring?.consumerIndex ?? 0;
      assert.equal(ring.view.getBigInt64(slot * 48 + 8, true), BigInt(want), 'the raw s64 word');
      const completion = engine.reap();
      assert.equal(completion?.result, want, `${String(start)} + ${String(inc)}`);
    }
  }
});
