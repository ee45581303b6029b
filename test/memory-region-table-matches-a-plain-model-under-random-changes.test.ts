/**
 * The region table (engine/memory.ts) answers as a plain model does under random registrations,
 * replacements and releases, and so does a cachemiss thread's mirror of it. Registrations are of
 * ranges of one backing store, so that they overlap at will: a new registered range replaces the
 * registered ranges it overlaps (the newest wins). The table places a region by binary search and
 * republishes only the slots that moved (it used to scan, copy and sort the whole table per
 * registration, 80 µs with a thousand regions); the model is a list scanned in full. After every
 * change, every tenth byte of the store (and the bytes around each range's ends) is looked up in
 * the table, the mirror and the model, and the answers (which range holds it) must agree.
 * Deterministic: a fixed seed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';
import type { Region } from '../engine/region.js';
import { addressOf } from '../engine/native/index.js';

const STORE = 64 * 1024;
const CHANGES = 2000;

/** mulberry32: a small deterministic generator. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Modelled {
  readonly start: number;
  readonly end: number;
  readonly region: Region;
}

test('the region table and its mirror answer as a plain list under 2,000 random registrations and releases', () => {
  const random = generator(20261205);
  const memory = new MemoryRegistry();
  const mirror = new MemoryRegistry(memory.shared);
  const store = new ArrayBuffer(STORE);
  const base = addressOf(store);
  let model: Modelled[] = [];
  const disagreements: string[] = [];
  for (let change = 0; change < CHANGES && disagreements.length < 5; change++) {
    if (model.length > 0 && random() < 0.4) {
      const index = Math.floor(random() * model.length);
      const gone = model[index] as Modelled;
      memory.release(gone.region);
      model = model.filter((entry) => entry !== gone);
    } else {
      // Mostly small ranges (many regions), now and then a wide one (replacing many).
      const length = random() < 0.05 ? 1 + Math.floor(random() * 8192) : 1 + Math.floor(random() * 96);
      const offset = Math.floor(random() * (STORE - length));
      const region = memory.registerRange(store, offset, length);
      const start = base + offset;
      const end = start + length;
      model = model.filter((entry) => !(start < entry.end && end > entry.start));
      model.push({ start, end, region });
    }
    const probes = new Set<number>();
    for (let offset = change % 10; offset < STORE; offset += 10) probes.add(base + offset);
    for (const entry of model) for (const at of [entry.start - 1, entry.start, entry.end - 1, entry.end]) probes.add(at);
    mirror.sync();
    for (const address of probes) {
      const expected = model.find((entry) => entry.start <= address && address < entry.end)?.region.id ?? null;
      const got = memory.find(address, 1)?.id ?? null;
      const mirrored = mirror.find(address, 1);
      const mirroredRange = mirrored === null ? null : [mirrored.start, mirrored.end].join('-');
      const expectedRange = expected === null ? null : model.filter((entry) => entry.region.id === expected).map((entry) => [entry.start, entry.end].join('-'))[0];
      if (got !== expected || mirroredRange !== expectedRange) {
        disagreements.push(`change ${change}, address +${address - base}: table ${String(got)}, mirror ${String(mirroredRange)}, model ${String(expected)} (${String(expectedRange)})`);
        break;
      }
    }
  }
  assert.deepEqual(disagreements, []);
  assert.equal(memory.size, model.length);
});
