/**
 * A request that was granted before its engine closed keeps its slot until it ends. A queued
 * request is handed its Request when an earlier one ends, and its holder resumes a microtask
 * later — possibly after engine.close() — and then writes into the slot (readFile puts its path
 * there before its submission is refused). The slabs were freed by the close itself, so that
 * write went into released engine memory: a Promise.all of readFile calls past the window with
 * engine.close() queued right behind them died with SIGSEGV or "malloc(): unsorted double linked
 * list corrupted". The slabs are now given back when the last request ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../index.js';
import { beginRequest, Request, requestStats, setRequestWindow } from '../plugins/requests.js';

test('a request granted before close keeps its slab until it ends; then every slab is given back', async () => {
  const engine = new Engine();
  setRequestWindow(engine, 1);
  const first = beginRequest(engine);
  assert.ok(first instanceof Request);
  const queued = beginRequest(engine);
  assert.ok(queued instanceof Promise, 'the window is full: the second request waits');
  // Ending the first hands the window to the queued one; its holder has not resumed yet.
  first.end();
  await engine.close();
  assert.equal(requestStats(engine).slabs, 1, 'the granted request still holds its slab');
  const request = await queued;
  // What a holder does with its slot after the close, as readFile does with its path.
  request.slot.data.fill(0x5a);
  assert.equal(request.slot.data[request.slot.data.length - 1], 0x5a);
  request.end();
  assert.equal(requestStats(engine).slabs, 0, 'the last request ended: the slabs are given back');
  assert.equal(requestStats(engine).active, 0);
});

test('a close with no request held gives the slabs back at once, and a later request is refused', async () => {
  const engine = new Engine();
  const request = beginRequest(engine);
  assert.ok(request instanceof Request);
  request.end();
  await engine.close();
  assert.equal(requestStats(engine).slabs, 0);
  await assert.rejects(Promise.resolve(beginRequest(engine)), { code: 'ESHUTDOWN' });
});
