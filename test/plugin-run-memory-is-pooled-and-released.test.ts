/**
 * The engine memory a run's JavaScript values need comes from pools: after the first runs, more
 * runs (of the same sizes) allocate no engine region at all, and every block goes back when the
 * run ends — after a normal end, after a parameter that is refused once others were already
 * placed, and after an abort. An `in` buffer the run registered is unregistered; one the caller
 * had registered stays registered.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { definePlugin, SYSLET_STOP_ON_NEGATIVE } from '../plugins/index.js';
import { runMemory } from '../plugins/run-memory.js';
import { engineWithTempDir } from './plugin-fixture.js';

const echo = definePlugin({
  name: 'test.echo',
  params: { path: 'path', data: 'in', buf: 'out', seconds: 'uint' },
  scratch: { ts: { size: 16, fields: [{ at: 0, width: 8, param: 'seconds' }] } },
  atoms: [
    { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0o2000000, 0], flags: SYSLET_STOP_ON_NEGATIVE },
    { id: 'read', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { lengthOf: 'buf' }, 0] },
    { id: 'write', call: 'write', args: [-1, { param: 'data' }, { lengthOf: 'data' }] },
    { id: 'nap', call: 'nanosleep', args: [{ scratch: 'ts' }, 0] },
    { call: 'close', args: [{ result: 'open' }] },
  ],
});

test('run memory is pooled, and given back after an end, a refused parameter and an abort', { timeout: 30_000 }, async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'run-memory');
  const file = join(dir, 'data');
  writeFileSync(file, 'abcdef');
  const data = new Uint8Array(32);
  const params = { path: file, data, buf: 100, seconds: 0 };
  await echo.run(engine, params);
  const regions = engine.memory.size;
  const slabs = runMemory(engine).slabs;
  for (let i = 0; i < 200; i++) {
    const { byId, outputs } = await echo.run(engine, params);
    assert.equal(byId.read.result, 6);
    assert.equal(outputs.buf.subarray(0, 6).toString(), 'abcdef');
  }
  assert.equal(engine.memory.size, regions, 'no engine region was added or left behind by 200 runs');
  assert.equal(runMemory(engine).slabs, slabs, 'no run-memory slab was added');
  assert.equal(engine.memory.regionOfBuffer(data), null, 'the in buffer is not left registered');

  // The path and the in buffer are placed before buf is refused: both go back.
  await assert.rejects(echo.run(engine, { ...params, buf: -1 }), RangeError);
  assert.equal(engine.memory.regionOfBuffer(data), null, 'unregistered after a refused parameter');
  assert.equal(engine.memory.size, regions);

  // Aborted in its nanosleep on a cachemiss thread.
  const controller = new AbortController();
  const running = echo.run(engine, { ...params, seconds: 20 }, { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  await assert.rejects(running, { name: 'AbortError' });
  assert.equal(engine.memory.regionOfBuffer(data), null, 'unregistered after an abort');
  assert.equal(engine.memory.size, regions, 'every block went back after the abort');
  const stats = echo.poolStats(engine);
  assert.equal(stats.free, stats.instances);

  // A buffer the caller registered is left registered.
  const mine = new Uint8Array(8);
  engine.register(mine);
  await echo.run(engine, { ...params, data: mine });
  assert.notEqual(engine.memory.regionOfBuffer(mine), null, 'still registered: it was the caller\'s');
  engine.unregister(mine);
});
