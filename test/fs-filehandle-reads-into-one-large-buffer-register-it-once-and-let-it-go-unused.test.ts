/**
 * A program reading into one large buffer again and again (a copy loop reading 256 KiB chunks)
 * lends it to the engine for each read: it is too large for a request's slot. Lent and given
 * back per call, it was registered and unregistered per call, and on the threads engine every
 * cachemiss thread reloaded the region table before its next chain (fsbench30: 119–129 µs of CPU
 * a 256 KiB write against 74–75 µs once the registration is kept). plugins/requests.ts keeps it
 * registered for a short lease after its last request: the same registration serves the next
 * calls, and a buffer the program stopped using is let go (Node keeps no buffer alive after its
 * call returns; the lease bounds how long this one is). (Large writes to a regular file, where
 * this was first measured, are node:fs's own since fswrite31: fs/write-node.ts; reads, and writes
 * to pipes and sockets, still lend.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { Engine } from '../index.js';
import { createFs } from '../fs.js';
import { scratch } from './helpers/fs-implementations.js';

const LARGE = 256 << 10;
const READS = 40;

test('consecutive reads into one 256 KiB buffer use one registration, dropped once the buffer is no longer used', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  const file = join(scratch(t, 'fs-large-reads'), 'in.bin');
  const content = Buffer.alloc(READS * LARGE);
  for (let i = 0; i < READS; i++) content.fill(i, i * LARGE, (i + 1) * LARGE);
  writeFileSync(file, content);
  const large = Buffer.alloc(LARGE);
  const handle = await fs.open(file, 'r');
  try {
    await handle.read(large, 0, LARGE, 0);
    const region = engine.memory.regionOfBuffer(large);
    assert.notEqual(region, null, 'the buffer stays registered right after its read');
    const regions = engine.memory.size;
    for (let i = 1; i < READS; i++) {
      const { bytesRead } = await handle.read(large, 0, LARGE, i * LARGE);
      assert.equal(bytesRead, LARGE);
      assert.equal(large[(i * 7919) % LARGE], i, `read ${i} brought its own bytes`);
      assert.equal(engine.memory.regionOfBuffer(large), region, `read ${i} used the same registration`);
      assert.equal(engine.memory.size, regions, `read ${i} added no region`);
    }
  } finally {
    await handle.close();
  }
  // Unused for more than twice the lease (100 ms): unregistered.
  await sleep(400);
  assert.equal(engine.memory.regionOfBuffer(large), null, 'a buffer no longer used is let go');
});
