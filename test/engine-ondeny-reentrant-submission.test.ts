// An onDeny callback may submit chains itself (issue 15 item 5: one that called async_exec from
// inside the outer chain's run made the outer async_exec return 0 instead of its atom, ran the
// nested read twice and lost the outer completion). Inline deny records are delivered when the
// submission that produced them is complete, so a callback never runs inside a chain: the outer
// call returns what it should, the nested chain runs once, every completion arrives once.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP } from '../engine/atom.js';
import type { Completion } from '../engine/ring.js';
import type { TraceRecord } from '../engine/policy.js';
import { EPERM } from '../engine/native/index.js';
import { closeAll, socketPair, SYS } from './helpers/engine.js';

test('a nested async_exec from onDeny leaves the outer submission intact and runs once', async (t) => {
  let engine: Engine | null = null;
  let nestedAtom = 0;
  let nestedReturned: bigint | null = null;
  const records: TraceRecord[] = [];
  engine = new Engine({
    threads: 2,
    onDeny: (record) => {
      records.push(record);
      if (records.length === 1 && engine !== null) nestedReturned = engine.async_exec(nestedAtom);
    },
  });
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  const ring = engine.alloc(8 * 16);
  assert.equal(engine.async_register({ ring: ring.start, ringSizeBytes: 8 * 16 }), 0);

  using nested = new ChainBuilder(engine.memory);
  const read = nested.atom('read', [reader, nested.buffer(1), 1]); // nothing to read yet: a cachemiss thread
  nestedAtom = nested.first;
  using outer = new ChainBuilder(engine.memory);
  const fork = outer.atom(SYS.fork, []); // hard-denied
  const after = outer.atom('getpid', []);

  const outerReturned = engine.async_exec(outer.first);
  assert.equal(outerReturned, BigInt(after.at), 'the outer chain completed inline: its last atom');
  assert.equal(engine.lastInlineStop, STOP.end, 'lastInlineStop is the outer chain\'s');
  assert.equal(engine.lastSubmit.last, after.at, 'lastSubmit is the outer chain\'s');
  assert.equal(fork.result.value, -EPERM);
  assert.equal(records.length, 1, 'the record was delivered before async_exec returned');
  assert.equal(records[0]?.atom, fork.at);
  assert.equal(nestedReturned, 0n, 'the nested chain went to a cachemiss thread');

  assert.equal(writeSync(writer, Buffer.from('wxyz')), 4);
  for (let waited = 0; engine.inflight > 0 && waited < 10_000; waited += 10) {
    engine.pump();
    await delay(10);
  }
  await delay(100);
  engine.pump();
  const completions: Completion[] = [];
  for (let completion = engine.reap(); completion !== null; completion = engine.reap()) completions.push(completion);
  assert.deepEqual(completions.map((c) => c.atom), [BigInt(read.at)], 'one completion, the nested read\'s');
  assert.equal(read.result.value, 1);
  // Three bytes left: the nested read ran once.
  assert.equal(writeSync(writer, Buffer.from('#')), 1);
  const left = Buffer.alloc(8);
  const got = readSync(reader, left, 0, 8, null);
  assert.equal(left.subarray(0, got).toString(), 'xyz#');
  await engine.close();
});

test('an onDeny that throws: every record is still delivered and the submission is complete', (t) => {
  const seen: number[] = [];
  const engine = new Engine({
    onDeny: (record) => {
      seen.push(record.atom);
      throw new Error(`refusing ${record.name}`);
    },
  });
  t.after(() => engine.close());
  using chain = new ChainBuilder(engine.memory);
  const first = chain.atom(SYS.fork, []);
  const second = chain.atom(SYS.execve, []);
  assert.throws(() => engine.async_exec(chain.first), /refusing fork/);
  assert.deepEqual(seen, [first.at, second.at]);
  assert.equal(second.result.value, -EPERM, 'the chain ran to its end before the callbacks');
  assert.equal(engine.inflight, 0);
});
