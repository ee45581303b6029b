/**
 * A burst of readlinks (`Promise.all` over hundreds of paths) runs a share of its calls in batches
 * on a cachemiss thread (fs/link-burst.ts, fs/link-batch.ts): each call still gets Node's answer,
 * field by field — targets in every encoding, and each failing call its own error (EINVAL on a
 * file, a directory or a trailing slash, ENOENT, ENOTDIR, ENAMETOOLONG) even when the calls around
 * it in the same batch succeed; a target too long for a batch's area is answered all the same.
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

test('each readlink of a burst answered through batches is Node answer, value or error', async (t) => {
  const dir = scratch(t, 'readlink-batch');
  writeFileSync(join(dir, 'file'), 'data');
  mkdirSync(join(dir, 'sub'));
  symlinkSync('file', join(dir, 'relative'));
  symlinkSync('sub', join(dir, 'toDir'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  symlinkSync('loop', join(dir, 'loop'));
  symlinkSync('y'.repeat(600), join(dir, 'long')); // past a batch's 512-byte area
  symlinkSync('z'.repeat(511), join(dir, 'edge'));
  symlinkSync(Buffer.from([0x74, 0xff, 0xfe, 0x2d, 0xc3, 0xa9]), join(dir, 'nonUtf8'));

  const kinds: readonly [unknown, unknown][] = [
    [join(dir, 'relative'), undefined],
    [join(dir, 'file'), undefined], // EINVAL
    [join(dir, 'dangling'), 'buffer'],
    [join(dir, 'missing'), undefined], // ENOENT
    [Buffer.from(join(dir, 'loop')), { encoding: 'latin1' }],
    [join(dir, 'file', 'below'), undefined], // ENOTDIR
    [join(dir, 'long'), undefined],
    [join(dir, 'toDir/'), undefined], // EINVAL: the slash follows the link
    [join(dir, 'x'.repeat(300)), undefined], // ENAMETOOLONG
    [join(dir, 'edge'), { encoding: 'buffer' }],
    [join(dir, 'sub'), undefined], // EINVAL
    [join(dir, 'nonUtf8'), { encoding: 'hex' }],
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
  const readlink = (on: typeof nodeFs, path: unknown, options: unknown): Promise<unknown> => on.readlink(path as string, options as never);
  const syslet = await Promise.all(calls.map(([path, options]) => settle(() => readlink(fs, path, options))));
  const node = await Promise.all(calls.map(([path, options]) => settle(() => readlink(nodeFs, path, options))));

  const stats = linkBatchStats(engine, 'readlink');
  // Calls 4 to 4 + 3 × BATCH_CALLS of one turn fill the three batches that may be on their way.
  assert.ok(stats.batches >= 3 && stats.calls >= 3 * BATCH_CALLS, `batched: ${JSON.stringify(stats)}`);
  for (let i = 0; i < calls.length; i++) {
    assert.deepStrictEqual(outcomeShape(syslet[i] as never), outcomeShape(node[i] as never), `call ${i}: ${String(calls[i]?.[0])}`);
  }
});
