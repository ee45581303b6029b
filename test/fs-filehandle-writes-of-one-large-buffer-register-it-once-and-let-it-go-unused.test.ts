/**
 * A program writing one large buffer again and again (a copy loop, a log flushed in 256 KiB
 * chunks) lends it to the engine for each write: it is too large for a request's slot. Lent and
 * given back per write, it was registered and unregistered per write, and on the threads engine
 * every cachemiss thread reloaded the region table before its next chain (fsbench30: 119–129 µs
 * of CPU a 256 KiB write against 74–75 µs once the registration is kept). plugins/requests.ts
 * keeps it registered for a short lease after its last request: the same registration serves the
 * next writes, and a buffer the program stopped writing is let go (Node keeps no buffer alive
 * after its call returns; the lease bounds how long this one is).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

const LARGE = 256 << 10;
const WRITES = 40;

test('consecutive writes of one 256 KiB buffer use one registration, dropped once the buffer is no longer written', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  const file = join(scratch(t, 'fs-large-writes'), 'out.bin');
  const large = Buffer.alloc(LARGE);
  const handle = await fs.open(file, 'w');
  try {
    large.fill(0);
    await handle.write(large, 0, LARGE, 0);
    const region = engine.memory.regionOfBuffer(large);
    assert.notEqual(region, null, 'the buffer stays registered right after its write');
    const regions = engine.memory.size;
    for (let i = 1; i < WRITES; i++) {
      large.fill(i);
      const { bytesWritten } = await handle.write(large, 0, LARGE, i * LARGE);
      assert.equal(bytesWritten, LARGE);
      assert.equal(engine.memory.regionOfBuffer(large), region, `write ${i} used the same registration`);
      assert.equal(engine.memory.size, regions, `write ${i} added no region`);
    }
  } finally {
    await handle.close();
  }
  const written = readFileSync(file);
  assert.equal(written.length, WRITES * LARGE);
  for (let i = 0; i < WRITES; i++) assert.equal(written[i * LARGE + (i * 7919) % LARGE], i, `chunk ${i} holds its own bytes`);
  // Unused for more than twice the lease (100 ms): unregistered.
  await sleep(400);
  assert.equal(engine.memory.regionOfBuffer(large), null, 'a buffer no longer written is let go');
});
