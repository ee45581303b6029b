// MemoryRegistry.find remembers its last answer per (address, length) in front of its other
// hints, so that the same range asked about again (a request's buffer, an aiocb's status fields,
// an instance's cells) skips the range and segment checks. A remembered answer must never
// outlive its region: a range of a released region is refused even when asked exactly as before,
// a region registered over the same memory afterwards is the one found, a refused range is found
// once a region holds it (refusals are not remembered), a range that crosses a segment is refused
// every time, and a cachemiss thread's mirror forgets its answers when it reloads the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';

test('the same range asked again: found while its region lives, refused once it is released, the new region after', () => {
  const memory = new MemoryRegistry();
  const store = new ArrayBuffer(4096);
  const first = memory.registerRange(store, 0, 4096);
  const address = first.start + 64;
  for (let i = 0; i < 3; i++) assert.equal(memory.find(address, 8), first);
  memory.release(first);
  assert.equal(memory.find(address, 8), null, 'released: not answered from memory');
  const second = memory.registerRange(store, 0, 4096);
  assert.equal(second.start, first.start);
  assert.equal(memory.find(address, 8), second, 'the region registered since, not the released one');
  // Replaced in one step by a wider registration of the same store (no release in between).
  const wider = memory.registerRange(store, 0, 4096);
  assert.notEqual(wider, second);
  assert.equal(memory.find(address, 8), wider);
});

test('a refused range is found once a region holds it; a range across segments is refused each time', () => {
  const memory = new MemoryRegistry();
  const store = new ArrayBuffer(4096);
  const part = memory.registerRange(store, 0, 1024);
  const outside = part.start + 2048;
  assert.equal(memory.find(outside, 8), null);
  const whole = memory.registerRange(store, 0, 4096);
  assert.equal(memory.find(outside, 8), whole, 'a refusal is not remembered');
  const slab = memory.allocate(256 * 4, { period: 256, starts: [16, 144] });
  for (let i = 0; i < 3; i++) {
    assert.equal(memory.find(slab.start + 16, 128), slab, 'inside the middle area');
    assert.equal(memory.find(slab.start + 8, 16), null, 'across the first two areas');
  }
  memory.release(slab);
  assert.equal(memory.find(slab.start + 16, 128), null);
});

test('a mirror (a cachemiss thread\'s view of the table) forgets its answers when it reloads the table', () => {
  const memory = new MemoryRegistry();
  const mirror = new MemoryRegistry(memory.shared);
  const slab = memory.allocate(4096);
  const address = slab.start + 128;
  assert.notEqual(mirror.find(address, 8), null, 'the mirror loads the new region');
  assert.notEqual(mirror.find(address, 8), null);
  memory.release(slab);
  mirror.sync();
  assert.equal(mirror.find(address, 8), null, 'gone from the mirror after it reloaded');
});
