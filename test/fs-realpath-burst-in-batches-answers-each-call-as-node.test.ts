/**
 * A burst of realpaths (`Promise.all` over hundreds of paths) runs a share of its calls in batches
 * on a cachemiss thread (fs/link-burst.ts, fs/link-batch.ts): each call still gets Node's
 * answer, field by field — resolved names in every encoding, and each failing call its own error
 * (ENOENT, ELOOP, ENOTDIR, ENAMETOOLONG) even when the calls around it in the same batch succeed;
 * a name too long for a batch's area is answered all the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { createFs } from '../fs/index.js';
import { BATCH_CALLS } from '../fs/link-batch.js';
import { linkBatchStats, setLateBatchRule } from '../fs/link-burst.js';
import { setRingOpens } from '../fs/link-ring.js';
import { outcomeShape, scratch, settle } from './helpers/fs-implementations.js';

test('each realpath of a burst answered through batches is Node answer, value or error', async (t) => {
  const dir = scratch(t, 'link-batch');
  writeFileSync(join(dir, 'file'), 'data');
  mkdirSync(join(dir, 'sub'));
  symlinkSync('file', join(dir, 'relative'));
  symlinkSync(join(dir, 'file'), join(dir, 'absolute'));
  symlinkSync('sub', join(dir, 'toDir'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  symlinkSync('loop', join(dir, 'loop'));
  // A resolved name longer than a batch keeps for one (512 bytes).
  let deep = dir;
  for (let i = 0; i < 6; i++) deep = join(deep, `${i}`.padEnd(100, 'd'));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'far'), 'x');
  symlinkSync(join(deep, 'far'), join(dir, 'far'));

  const kinds: readonly [unknown, unknown][] = [
    [join(dir, 'relative'), undefined],
    [join(dir, 'loop'), undefined], // ELOOP
    [join(dir, 'absolute'), 'buffer'],
    [join(dir, 'dangling'), undefined], // ENOENT
    [Buffer.from(join(dir, 'toDir')), { encoding: 'latin1' }],
    [join(dir, 'file', 'below'), undefined], // ENOTDIR
    [join(dir, 'far'), undefined],
    [join(dir, 'missing'), { encoding: 'buffer' }], // ENOENT
    [join(dir, 'x'.repeat(300)), undefined], // ENAMETOOLONG
    [join(dir, 'sub', '..', 'relative'), undefined],
  ];
  const calls = Array.from({ length: 5 * BATCH_CALLS }, (_, i) => kinds[i % kinds.length] as [unknown, unknown]);

  // Every batch is waited for, however long its thread takes to start: this test is about the
  // answers batches give (test fs-link-burst-behind-a-late-batch-answers-inline-as-node covers
  // the calls of late ones).
  setLateBatchRule(Infinity, Infinity);
  t.after(() => setLateBatchRule());
  // On the io_uring engine a burst's opens go to the ring (fs/link-ring.ts): these are the batches'.
  setRingOpens(false);
  t.after(() => setRingOpens(true));
  const engine = new Engine();
  t.after(() => engine.close());
  const fs = createFs(engine);
  // The first realpath learns that /proc names fds here; batches start after it.
  assert.equal(await fs.realpath(join(dir, 'relative')), join(dir, 'file'));

  const realpath = (on: typeof nodeFs, path: unknown, options: unknown): Promise<unknown> => on.realpath(path as string, options as never);
  const syslet = await Promise.all(calls.map(([path, options]) => settle(() => realpath(fs, path, options))));
  const node = await Promise.all(calls.map(([path, options]) => settle(() => realpath(nodeFs, path, options))));

  const stats = linkBatchStats(engine);
  // Calls 4 to 4 + 3 × BATCH_CALLS of one turn fill the three batches that may be on their way.
  assert.ok(stats.batches >= 3 && stats.calls >= 3 * BATCH_CALLS, `batched: ${JSON.stringify(stats)}`);
  for (let i = 0; i < calls.length; i++) {
    assert.deepStrictEqual(outcomeShape(syslet[i] as never), outcomeShape(node[i] as never), `call ${i}: ${String(calls[i]?.[0])}`);
  }
});
