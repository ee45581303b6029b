/**
 * RequestFifo (an fd's line of queued requests, a moving head instead of Array#shift) against a
 * plain array doing the same operations: 200,000 random shifts, unshifts, pushes, insertions,
 * removals, lookups and takeAlls, with lines long enough (thousands) to cross its compaction, give
 * the same contents and answers at every step.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RequestFifo } from '../shim/request-fifo.js';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

test('RequestFifo gives what an array gives for the same operations, across compactions', () => {
  const next = random(18);
  const fifo = new RequestFifo<number>();
  let model: number[] = [];
  let made = 0;
  const answers: string[] = [];
  for (let step = 0; step < 200_000; step++) {
    const roll = next();
    // Pushes a little more often than shifts, so the line grows to thousands and drains again.
    const growing = (step >> 14) % 2 === 0;
    if (roll < (growing ? 0.45 : 0.25)) {
      fifo.push(made);
      model.push(made++);
    } else if (roll < 0.75) {
      const a = fifo.shift();
      const b = model.shift();
      if (a !== b) answers.push(`step ${step} shift ${String(a)} != ${String(b)}`);
    } else if (roll < 0.8) {
      fifo.unshift(made);
      model.unshift(made++);
    } else if (roll < 0.85) {
      const at = Math.floor(next() * (model.length + 1));
      fifo.insertAt(at, made);
      model.splice(at, 0, made++);
    } else if (roll < 0.9) {
      const at = Math.floor(next() * (model.length + 2)) - 1;
      fifo.removeAt(at);
      if (at >= 0 && at < model.length) model.splice(at, 1);
    } else if (roll < 0.99) {
      const at = Math.floor(next() * (model.length + 1));
      if (fifo.get(at) !== model[at]) answers.push(`step ${step} get(${at})`);
      const wanted = model[at] ?? -5;
      if (fifo.indexOf(wanted) !== model.indexOf(wanted)) answers.push(`step ${step} indexOf(${wanted})`);
    } else if (roll < 0.9995) {
      if (fifo.length !== model.length) answers.push(`step ${step} length ${fifo.length} != ${model.length}`);
    } else {
      assert.deepEqual(fifo.takeAll(), model, `takeAll at step ${step}`);
      model = [];
    }
  }
  assert.deepEqual(answers, []);
  assert.deepEqual(fifo.takeAll(), model);
  assert.equal(fifo.length, 0);
});
