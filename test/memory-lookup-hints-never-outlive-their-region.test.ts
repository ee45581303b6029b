// MemoryRegistry.find remembers where it found regions (the three latest hits, and a hint per
// 4 KiB page for the many caller Buffers a QD64 loop touches in turn). What it remembers must
// never outlive the region: a released region is not found again through a hint, a region
// registered over the same memory afterwards is the one found, and a hinted segmented region
// still bounds each range by its segment.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';

/** Looks every region up in turn, so that each one's hint is set and the three latest hits are others. */
function lookUpAll(memory: MemoryRegistry, addresses: readonly number[]): void {
  for (const address of addresses) assert.notEqual(memory.find(address, 8), null);
}

test('a released region is not found through its hint; one registered over the same memory is', () => {
  const memory = new MemoryRegistry();
  const buffers = Array.from({ length: 16 }, () => new ArrayBuffer(4096));
  const regions = buffers.map((buffer) => memory.registerRange(buffer, 0, 4096));
  const addresses = regions.map((region) => region.start);
  lookUpAll(memory, addresses);
  lookUpAll(memory, addresses);
  const gone = regions[0];
  assert.ok(gone !== undefined);
  memory.release(gone);
  assert.equal(memory.find(gone.start, 8), null, 'released: not found by its hint');
  assert.equal(memory.find(gone.start + 4000, 8), null);
  lookUpAll(memory, addresses.slice(1));
  const again = memory.registerRange(buffers[0] as ArrayBuffer, 0, 4096);
  assert.equal(again.start, gone.start);
  lookUpAll(memory, addresses.slice(1));
  assert.equal(memory.find(gone.start, 8), again, 'the new region, not the released one');
  // A narrower registration over part of the same memory replaces the wider one.
  const narrow = memory.registerRange(buffers[0] as ArrayBuffer, 1024, 1024);
  lookUpAll(memory, addresses.slice(1));
  assert.equal(memory.find(gone.start, 8), null, 'outside the narrower range');
  assert.equal(memory.find(gone.start + 1024, 8), narrow);
  assert.equal(memory.find(gone.start + 2040, 16), null, 'past the narrower range');
});

test('a segmented region found through its hint still bounds a range by its segment', () => {
  const memory = new MemoryRegistry();
  const slab = memory.allocate(256 * 64, { period: 256, starts: [16, 144] });
  const others = Array.from({ length: 8 }, () => memory.registerRange(new ArrayBuffer(4096), 0, 4096).start);
  // Objects on different pages of the slab, each looked up once so that its page is hinted.
  for (let object = 0; object < 64; object += 16) {
    const at = slab.start + object * 256;
    assert.equal(memory.find(at, 16), slab);
    lookUpAll(memory, others);
    assert.equal(memory.find(at + 16, 128), slab, 'the middle area');
    lookUpAll(memory, others);
    assert.equal(memory.find(at + 8, 16), null, 'across the first two areas');
    lookUpAll(memory, others);
    assert.equal(memory.find(at + 144, 113), null, 'past the object');
  }
  memory.release(slab);
  assert.equal(memory.find(slab.start, 8), null);
});
