// A cachemiss thread that runs a chain's successor (Engine.submitAfter) gives its active slot back
// once. The governor lowers the bound on threads running chains at once when chains turn short and
// CPU-bound; a thread over the bound gives its slot back after its chain. One that ended a chain
// with a successor did so, ran the successor without a slot, and gave "its" slot back again when
// the successor ended: the shared count fell below the threads really holding one, and from then
// on more threads ran at once than the governor allowed. Here three chains block on empty pipes
// (the first with a successor), the bound drops to one (as the governor would set it), and the
// first chain, then its successor, end while the pool is over the bound.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { Engine, type ChainListener } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { openPipe } from './helpers/pipe.js';

/** A listener whose completion can be awaited (its result). */
function awaitable(): { listener: ChainListener; done: Promise<number> } {
  let resolve: (result: number) => void = () => undefined;
  const done = new Promise<number>((r) => (resolve = r));
  return { listener: { chainDone: (_last, result) => resolve(Number(result)) }, done };
}

async function until(what: string, check: () => boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await delay(5);
  }
}

test('a thread that ran a successor past the active bound gives its slot back once', { timeout: 60_000 }, async (t) => {
  const engine = new Engine({ engine: 'threads', threads: 4, minThreads: 0 });
  const [first, second, third, successorPipe] = [openPipe(), openPipe(), openPipe(), openPipe()];
  const builders: ChainBuilder[] = [];
  t.after(async () => {
    await engine.close();
    for (const chain of builders) chain[Symbol.dispose]();
    for (const p of [first, second, third, successorPipe]) {
      closeSync(p.reader);
      closeSync(p.writer);
    }
  });
  const readChain = (fd: number): number => {
    const chain = new ChainBuilder(engine.memory);
    builders.push(chain);
    chain.atom('read', [fd, chain.buffer(16), 16]);
    return chain.first;
  };
  const firstEnd = awaitable();
  assert.equal(engine.submit(readChain(first.reader), firstEnd.listener), 0, 'the first read went to a thread');
  const successorEnd = awaitable();
  assert.equal(engine.submitAfter(readChain(successorPipe.reader), successorEnd.listener, engine.lastSubmit.token), 0);
  const othersEnd = [awaitable(), awaitable()];
  assert.equal(engine.submit(readChain(second.reader), (othersEnd[0] as { listener: ChainListener }).listener), 0);
  assert.equal(engine.submit(readChain(third.reader), (othersEnd[1] as { listener: ChainListener }).listener), 0);
  await until('three threads block in read, each holding a slot', () => engine.activeSlots.held === 3);
  engine.setActiveBound(1);
  // The first chain ends over the bound: its thread gives its slot back, then runs the successor.
  writeSync(first.writer, 'a');
  assert.equal(await firstEnd.done, 1);
  await until('the first thread gave its slot back', () => engine.activeSlots.held === 2);
  assert.deepEqual(engine.activeSlots, { counted: 2, held: 2, bound: 1 });
  // Still over the bound when the successor ends: that thread holds no slot, and gives none back.
  writeSync(successorPipe.writer, 'b');
  assert.equal(await successorEnd.done, 1);
  await delay(50);
  const after = engine.activeSlots;
  assert.equal(after.counted, after.held, `active slots counted ${after.counted}, held by ${after.held} threads`);
  writeSync(second.writer, 'c');
  writeSync(third.writer, 'c');
  for (const end of othersEnd) assert.equal(await end.done, 1);
  await delay(50);
  const idle = engine.activeSlots;
  assert.ok(idle.counted === idle.held && idle.counted <= 1, `when idle: active slots counted ${idle.counted}, held by ${idle.held} threads (bound 1)`);
});
