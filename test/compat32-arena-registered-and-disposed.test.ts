// The 32-bit arena lies below 4 GiB, is an 'arena32' region of the registry (so the engine's
// confinement accepts pointers into it and nothing around it), and is gone after disposal;
// a fixed base that is already taken is an ArenaError, never a clobbered mapping.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryRegistry } from '../engine/memory.js';
import { Arena32, ArenaError, parseImage, serializeImage } from '../compat32/index.js';

test('an arena loads an image at its base, is registered as arena32, and unregisters on dispose', () => {
  const memory = new MemoryRegistry();
  const payload = new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]);
  const image = parseImage(serializeImage({ base: 0xb1000000, entry: 0xb1000000, bytes: payload, reserve: 8192 }));
  {
    using arena = Arena32.load(memory, image);
    assert.equal(arena.base, 0xb1000000);
    assert.equal(arena.how, 'fixed');
    assert.ok(arena.end <= 0x1_0000_0000);
    assert.equal(arena.u32(0xb1000004), 0x08070605);
    assert.equal(memory.find(0xb1000000, 16)?.kind, 'arena32');
    assert.equal(memory.find(arena.end - 4, 8), null, 'confinement stops at the arena end');
    assert.throws(() => Arena32.map(memory, 4096, 0xb1000000), (error: unknown) => error instanceof ArenaError && error.code === 'EEXIST' && error.errno === -17);
  }
  assert.equal(memory.find(0xb1000000, 4), null);
  using anywhere = Arena32.map(memory, 4096);
  assert.equal(anywhere.how, 'MAP_32BIT');
  assert.ok(anywhere.end <= 0x8000_0000);
});
