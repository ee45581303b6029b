/**
 * Every area of a plugin instance is its own bound (issue 15 item 9): with `scratch: { s: 16 }`,
 * `pread64(fd, {scratch: 's'}, {param: 'n'})` run with n = 4096 used to succeed and overwrite the
 * instance's own cells and the next pooled instance's atoms (the bound was the slab). Now the
 * read is -EFAULT, inline and on a cachemiss thread, nothing outside the area changes, and the
 * other instances of the slab still run; n = 16 reads into the area as before. The same holds for
 * a local cell passed by `{ ref }` and for an `out` parameter's block.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EFAULT } from '../engine/native/index.js';
import { definePlugin, SYSLET_ASYNC } from '../plugins/index.js';
import { engineWithTempDir } from './plugin-fixture.js';

const scratchRead = (flags: number) => definePlugin({
  name: `test.scratchRead${flags}`,
  params: { fd: 'fd', n: 'size' },
  scratch: { s: 16 },
  cells: { guard: 0x5a5a },
  atoms: [
    { call: 'pread64', args: [{ param: 'fd' }, { scratch: 's' }, { param: 'n' }, 0], flags },
    { call: 'umem_add', args: [{ ref: 'guard' }, 1] },
  ],
});

test('a read longer than its scratch area is -EFAULT and writes nothing outside it', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'scratch-bound');
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(8192, 0x41));
  const fd = openSync(file, 'r');
  t.after(() => closeSync(fd));
  for (const flags of [0, SYSLET_ASYNC]) {
    const plugin = scratchRead(flags);
    const where = flags === 0 ? 'inline' : 'cachemiss';
    // Two instances of one slab: the first is the one a 4096-byte read would overrun into the second.
    const first = plugin.acquire(engine);
    const second = plugin.acquire(engine);
    first.release();
    second.release();
    const long = await plugin.run(engine, { fd, n: 4096 });
    assert.equal(long.atoms[0]?.result, -EFAULT, `${where}: 4096 bytes into a 16-byte area`);
    assert.equal(long.atoms[1]?.result, 0x5a5b, `${where}: the chain's own cell was not overwritten`);
    const exact = await plugin.run(engine, { fd, n: 16 });
    assert.equal(exact.atoms[0]?.result, 16, `${where}: 16 bytes fit`);
    assert.deepEqual([...exact.scratch.s], new Array<number>(16).fill(0x41));
    // Every instance of the slab still runs as compiled.
    const runs = await Promise.all(Array.from({ length: 8 }, () => plugin.run(engine, { fd, n: 8 })));
    for (const run of runs) assert.deepEqual(run.atoms.map((atom) => atom.result), [8, 0x5a5b], `${where}: the other instances are intact`);
  }
});

test('a cell passed by { ref } and an out block are their own bounds too', async (t) => {
  const { dir, engine } = engineWithTempDir(t, 'cell-bound');
  const file = join(dir, 'data');
  writeFileSync(file, Buffer.alloc(256, 0x42));
  const plugin = definePlugin({
    name: 'test.cellRead',
    params: { path: 'path', n: 'size', buf: 'out' },
    cells: { word: 0, after: 7 },
    atoms: [
      { id: 'open', call: 'openat', args: [-100, { param: 'path' }, 0, 0] },
      { id: 'intoCell', call: 'pread64', args: [{ result: 'open' }, { ref: 'word' }, { param: 'n' }, 0] },
      { id: 'intoOut', call: 'pread64', args: [{ result: 'open' }, { param: 'buf' }, { param: 'n' }, 0] },
      { call: 'close', args: [{ result: 'open' }] },
    ],
  });
  const wide = await plugin.run(engine, { path: file, n: 100, buf: 64 });
  assert.equal(wide.byId.intoCell.result, -EFAULT, '100 bytes into an 8-byte cell');
  assert.equal(wide.byId.intoOut.result, -EFAULT, '100 bytes into a 64-byte out block');
  assert.equal(wide.cells.after, 7);
  const fits = await plugin.run(engine, { path: file, n: 8, buf: 64 });
  assert.equal(fits.byId.intoCell.result, 8);
  assert.equal(fits.cells.word, 0x4242424242424242n);
});
