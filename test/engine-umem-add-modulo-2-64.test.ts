/**
 * umem_add adds modulo 2^64 and returns the new value as a signed word, whichever way it
 * computes: in doubles while the sum is a safe integer (every loop counter and cursor), in
 * BigInt past 2^53 and across the wrap. The answers are the same as pure 64-bit arithmetic.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import type { Word } from '../engine/native/index.js';

const asSigned = (value: bigint): bigint => BigInt.asIntN(64, value);

test('umem_add matches 64-bit two\'s complement addition on both sides of 2^53 and at the wrap', (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const counter = chain.cell(0);
  const inc = chain.cell(0);
  const atom = chain.atom('umem_add', [counter.ref, inc]);
  const add = (start: Word, by: Word): Word => {
    counter.value = start;
    inc.value = by;
    engine.runChainSync(chain.first);
    assert.equal(atom.result.value, counter.value, 'the result is the stored value');
    return counter.value;
  };
  const max = Number.MAX_SAFE_INTEGER;
  const cases: [Word, Word][] = [
    [0, 5], [10, -1], [1, -1], [0, -1], [-1, 1], [4096, 4096], [max - 1, 1], [-max + 1, -1],
    [max, 1], [-max, -1], [max, max], [2 ** 53 - 5, 10], [-(2n ** 53n), -1], [-(2n ** 53n), 1],
    [2n ** 63n - 1n, 1], [-(2n ** 63n), -1], [-1, 2], [2n ** 62n, 2n ** 62n], [5, 2n ** 64n - 1n], [-1n, -1n],
  ];
  for (const [start, by] of cases) {
    const expected = asSigned(BigInt(start) + BigInt(by));
    const got = add(start, by);
    assert.equal(BigInt(got), expected, `${start} + ${by}`);
    // Exact values come back as numbers, the rest as bigints (readWord's rule).
    assert.equal(typeof got, expected >= -(2n ** 53n) && expected < 2n ** 53n ? 'number' : 'bigint', `${start} + ${by}: type`);
  }
});
