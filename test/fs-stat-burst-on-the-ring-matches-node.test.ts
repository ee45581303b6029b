/**
 * A burst of stat and lstat calls made in one turn (`Promise.all` over paths) sends a share of
 * them to the io_uring engine's ring as statx requests (fs/stat-burst.ts); every call still gives
 * what node:fs/promises gives for the same path — Node's Stats and BigIntStats field by field, and
 * Node's errors — whichever way it went. A lone stat stays inline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import * as sysletFs from '../fs.js';
import { sharedEngine } from '../fs/index.js';
import { BURST_MIN } from '../fs/stat-burst.js';
import { outcomeShape, scratch, type FsPromises, type Outcome } from './helpers/fs-implementations.js';

type Call = (fs: FsPromises) => Promise<unknown>;

/** Every call of `calls` made in one turn, their outcomes once all have settled. */
async function burst(fs: FsPromises, calls: readonly Call[]): Promise<Outcome[]> {
  const settled = await Promise.allSettled(calls.map((call) => call(fs)));
  return settled.map((one) => (one.status === 'fulfilled' ? { ok: true, value: one.value } : { ok: false, error: one.reason as unknown }));
}

function ringMakesStatx(): string | undefined {
  const info = sharedEngine().asyncEngine;
  if (info.kind !== 'io_uring') return `the shared engine uses cachemiss threads (${info.reason})`;
  return info.calls.includes('statx') ? undefined : 'this kernel\'s ring has no IORING_OP_STATX';
}

test('a burst of stats and lstats of every kind of path, errors included, matches node:fs/promises call by call', async (t) => {
  const dir = scratch(t, 'stat-burst');
  const file = join(dir, 'file');
  writeFileSync(file, 'x'.repeat(5000));
  mkdirSync(join(dir, 'sub'));
  symlinkSync(file, join(dir, 'link'));
  symlinkSync(join(dir, 'sub'), join(dir, 'dirlink'));
  symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
  symlinkSync(join(dir, 'loop'), join(dir, 'loop'));
  execFileSync('mkfifo', [join(dir, 'fifo')]);
  const paths = [
    file, join(dir, 'sub'), join(dir, 'link'), join(dir, 'dirlink'), `${join(dir, 'dirlink')}/`, join(dir, 'dangling'), join(dir, 'loop'),
    join(dir, 'fifo'), '/dev/null', '/', join(dir, 'missing'), join(file, 'below'), `${file}/`, '', `/${'d'.repeat(300)}`, `/${'d'.repeat(5000)}`,
    // Two-byte characters: a path that fits a ring stat's 512-byte record and one that does not.
    join(dir, 'é'.repeat(100)), join(dir, 'é'.repeat(100), 'é'.repeat(100), 'é'.repeat(100)),
  ];
  const calls: Call[] = [];
  for (let round = 0; round < 8; round++) {
    for (const path of paths) {
      const bigint = round % 2 === 1;
      calls.push((fs) => fs.stat(path, { bigint }), (fs) => fs.lstat(path, { bigint }));
      calls.push((fs) => fs.stat(Buffer.from(path)));
    }
  }
  // Following a link for the first time sets its atime (relatime: the atime was not after the
  // mtime); a first burst does that, so that neither side's order of calls shows in the times.
  await burst(nodeFs, calls);
  const node = await burst(nodeFs, calls);
  const syslet = await burst(sysletFs, calls);
  for (let index = 0; index < calls.length; index++) {
    assert.deepStrictEqual(outcomeShape(syslet[index] as Outcome), outcomeShape(node[index] as Outcome), `call ${index}: ${String(calls[index])} of ${paths[Math.floor(index / 3) % paths.length]}`);
  }
});

test('the calls of a burst past the first few go to the ring; a lone stat does not', { skip: ringMakesStatx() }, async (t) => {
  const dir = scratch(t, 'stat-burst');
  const files = Array.from({ length: 200 }, (_, i) => join(dir, `f${i}`));
  for (const name of files) writeFileSync(name, name);
  const engine = sharedEngine();
  await sysletFs.stat(files[0] as string);
  const lone = sysletFs.stat(files[0] as string);
  assert.equal(engine.ringInFlight, 0, 'a lone stat is served inline');
  await lone;
  for (const name of files.slice(0, 20)) {
    const one = sysletFs.stat(name);
    assert.equal(engine.ringInFlight, 0, 'stats awaited one after another are each a turn of their own: inline');
    await one;
  }
  // Let the turn of the lone call end, so that the burst below starts a turn of its own.
  await new Promise((resolve) => setImmediate(resolve));
  const pending = files.map((name) => sysletFs.stat(name));
  assert.ok(engine.ringInFlight > 0, `stats after the first ${BURST_MIN - 1} of a turn are ring requests`);
  const stats = await Promise.all(pending);
  stats.forEach((one, i) => assert.equal(one.size, (files[i] as string).length, `size of ${files[i]}`));
  assert.equal(engine.ringInFlight, 0, 'every ring request completed');
});
