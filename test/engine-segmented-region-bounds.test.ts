// A region allocated with segments is split into areas that are each their own bound: a pointer
// argument whose length runs from one segment into the next is -EFAULT, inline and on a
// cachemiss thread, while the same length inside one segment works. A C string must end (its
// NUL) inside its own segment. Segment starts repeat every `period` bytes (a slab of pooled
// objects), and a split that is not one is refused with a RangeError.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { EFAULT } from '../engine/native/index.js';
import { tempDir } from './helpers/engine.js';

const PERIOD = 256;
// Per 256-byte object: [0, 16) a small area, [16, 144) a stat-sized area, [144, 256) the rest.
const SPLIT = { period: PERIOD, starts: [16, 144] };

test('a read longer than its segment is -EFAULT, inline and on a cachemiss thread; one that fits works', async (t) => {
  const engine = new Engine({ threads: 2 });
  t.after(() => engine.close());
  const dir = tempDir(t);
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(8192, 0x41));
  const fd = openSync(file, 'r');
  t.after(() => closeSync(fd));
  const slab = engine.alloc(PERIOD * 4, SPLIT);
  const second = slab.start + PERIOD; // object 1
  for (const flags of [0, SYSLET_ASYNC]) {
    using chain = new ChainBuilder(engine.memory);
    const tooLong = chain.atom('pread64', [fd, { address: second }, 17, 0], { flags });
    const fits = chain.atom('pread64', [fd, { address: second }, 16, 0]);
    const overNext = chain.atom('pread64', [fd, { address: second + 16 }, 129, 0]);
    const wholeMiddle = chain.atom('pread64', [fd, { address: second + 16 }, 128, 0]);
    const tail = chain.atom('pread64', [fd, { address: second + 144 }, 112, 0]);
    const pastObject = chain.atom('pread64', [fd, { address: second + 144 }, 113, 0]);
    await engine.runChain(chain.first);
    const where = flags === 0 ? 'inline' : 'cachemiss';
    assert.equal(tooLong.result.value, -EFAULT, `${where}: 17 bytes into a 16-byte segment`);
    assert.equal(fits.result.value, 16, where);
    assert.equal(overNext.result.value, -EFAULT, `${where}: 129 bytes into a 128-byte segment`);
    assert.equal(wholeMiddle.result.value, 128, where);
    assert.equal(tail.result.value, 112, where);
    assert.equal(pastObject.result.value, -EFAULT, `${where}: past the object into the next one`);
  }
  const bytes = slab.bytes;
  assert.ok(bytes.subarray(0, PERIOD).every((b) => b === 0), 'object 0 untouched');
  assert.ok(bytes.subarray(PERIOD, 2 * PERIOD).every((b) => b === 0x41), 'object 1 filled');
  assert.ok(bytes.subarray(2 * PERIOD).every((b) => b === 0), 'objects 2 and 3 untouched');
  engine.free(slab);
});

test('a C string must end in its own segment', async (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  const slab = engine.alloc(PERIOD * 2, SPLIT);
  // "///…/" fills the 16-byte segment; the segment after it starts with zeros (a NUL).
  slab.bytes.fill(0x2f, 0, 16);
  const openDirectory = async (): Promise<number> => {
    using chain = new ChainBuilder(engine.memory);
    const open = chain.atom('openat', [-100, { address: slab.start }, 0o200000 /* O_DIRECTORY */, 0]);
    await engine.runChain(chain.first);
    return open.result.value as number;
  };
  assert.equal(await openDirectory(), -EFAULT, 'the first NUL lies in the next segment');
  slab.bytes[15] = 0;
  const fd = await openDirectory();
  assert.ok(fd >= 0, `a NUL inside the segment: the path "/" is opened (got ${fd})`);
  closeSync(fd);
});

test('a bad split is a RangeError', (t) => {
  const engine = new Engine({ threads: 1 });
  t.after(() => engine.close());
  assert.throws(() => engine.alloc(64, { period: 0, starts: [] }), RangeError);
  assert.throws(() => engine.alloc(64, { period: 64, starts: [64] }), RangeError);
  assert.throws(() => engine.alloc(64, { period: 64, starts: [1.5] }), RangeError);
});
