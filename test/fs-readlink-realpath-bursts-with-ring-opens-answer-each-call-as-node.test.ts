/**
 * On the io_uring engine, the readlinks and realpaths of a burst open their paths as ring
 * requests (fs/link-ring.ts) and finish on the calling thread: each call still gets Node's
 * answer, field by field — targets and names in every encoding, and each failing call its own
 * error (EINVAL on a file, a directory or a trailing slash, ENOENT, ELOOP, ENOTDIR,
 * ENAMETOOLONG), paths too long for a record (served inline) between them — every record is idle
 * again once the burst has answered, and an engine closed with opens in flight answers every
 * call (Node's answer or ESHUTDOWN) and leaves no fd open.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import * as nodeFs from 'node:fs/promises';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { createFs } from '../fs/index.js';
import { linkBatchStats } from '../fs/link-burst.js';
import { ringLinkRecords } from '../fs/link-ring.js';
import { outcomeShape, scratch, settle } from './helpers/fs-implementations.js';
import { openFdsBesideTheLoader } from './helpers/loader-fds.js';

function ringOpens(engine: Engine): string | undefined {
  const info = engine.asyncEngine;
  if (info.kind !== 'io_uring') return `the engine uses cachemiss threads (${info.reason})`;
  return info.calls.includes('openat') ? undefined : 'this kernel\'s ring has no IORING_OP_OPENAT';
}

function tree(t: TestContext): string {
  const dir = scratch(t, 'link-ring');
  writeFileSync(join(dir, 'file'), 'data');
  mkdirSync(join(dir, 'sub'));
  symlinkSync('file', join(dir, 'relative'));
  symlinkSync(join(dir, 'file'), join(dir, 'absolute'));
  symlinkSync('sub', join(dir, 'toDir'));
  symlinkSync('nowhere', join(dir, 'dangling'));
  symlinkSync('loop', join(dir, 'loop'));
  symlinkSync('y'.repeat(600), join(dir, 'long'));
  symlinkSync(Buffer.from([0x74, 0xff, 0xfe, 0x2d, 0xc3, 0xa9]), join(dir, 'nonUtf8'));
  // A path longer than a record holds (512 bytes): served inline, between ring calls.
  let deep = dir;
  for (let i = 0; i < 6; i++) deep = join(deep, `${i}`.padEnd(100, 'd'));
  mkdirSync(deep, { recursive: true });
  writeFileSync(join(deep, 'far'), 'x');
  symlinkSync('far', join(deep, 'near'));
  symlinkSync(join(deep, 'far'), join(dir, 'far'));
  return dir;
}

function kinds(dir: string): readonly [unknown, unknown][] {
  let deep = dir;
  for (let i = 0; i < 6; i++) deep = join(deep, `${i}`.padEnd(100, 'd'));
  return [
    [join(dir, 'relative'), undefined],
    [join(dir, 'file'), undefined],
    [join(dir, 'dangling'), 'buffer'],
    [join(dir, 'missing'), undefined],
    [Buffer.from(join(dir, 'loop')), { encoding: 'latin1' }],
    [join(dir, 'file', 'below'), undefined],
    [join(dir, 'long'), undefined],
    [join(dir, 'toDir/'), undefined],
    [join(dir, 'x'.repeat(300)), undefined],
    [join(dir, 'sub'), undefined],
    [join(dir, 'nonUtf8'), { encoding: 'hex' }],
    [join(dir, 'absolute'), { encoding: 'buffer' }],
    [join(dir, 'far'), undefined],
    [join(deep, 'near'), undefined],
    [join(dir, 'sub', '..', 'relative'), undefined],
  ];
}

for (const call of ['readlink', 'realpath'] as const) {
  test(`each ${call} of a burst whose opens went to the ring is Node's answer, value or error`, async (t) => {
    const engine = new Engine();
    t.after(() => engine.close());
    const skip = ringOpens(engine);
    if (skip !== undefined) return t.skip(skip);
    const dir = tree(t);
    const fs = createFs(engine);
    // The first realpath learns that /proc names fds here and opens the directory that names them.
    await fs.realpath(join(dir, 'relative'));
    const list = kinds(dir);
    const calls = Array.from({ length: 400 }, (_, i) => list[i % list.length] as [unknown, unknown]);
    const run = (on: typeof nodeFs, path: unknown, options: unknown): Promise<unknown> => on[call](path as string, options as never);
    for (let round = 0; round < 3; round++) {
      const syslet = await Promise.all(calls.map(([path, options]) => settle(() => run(fs, path, options))));
      const node = await Promise.all(calls.map(([path, options]) => settle(() => run(nodeFs, path, options))));
      for (let i = 0; i < calls.length; i++) {
        assert.deepStrictEqual(outcomeShape(syslet[i] as never), outcomeShape(node[i] as never), `round ${round}, call ${i}: ${String(calls[i]?.[0])}`);
      }
      const { records, idle } = ringLinkRecords(engine);
      assert.ok(records > 0, 'the burst opened paths on the ring');
      assert.equal(idle, records, `round ${round}: every record is idle once the burst has answered`);
      assert.ok(records <= 448, `round ${round}: ${records} records for 400 calls`);
    }
    assert.equal(linkBatchStats(engine, call).calls, 0, 'no call went to a batch');
  });
}

test('readlinks and realpaths with opens on the ring when the engine closes answer every call and leave no fd open', async (t) => {
  const dir = scratch(t, 'link-ring-close');
  const links: string[] = [];
  for (let i = 0; i < 600; i++) {
    const folder = join(dir, String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(folder);
    writeFileSync(join(folder, `${i}.bin`), 'x');
    symlinkSync(`${i}.bin`, join(folder, `${i}.lnk`));
    links.push(join(folder, `${i}.lnk`));
  }
  // What stays open for the process's life (the held /proc fd directory) is opened first.
  const first = new Engine();
  await createFs(first).realpath(links[0] as string);
  await first.close();
  // Not tsx's fds: its cache writes and directory sweep (in a fresh clone) open and close fds meanwhile.
  const before = openFdsBesideTheLoader();
  for (let round = 0; round < 8; round++) {
    const engine = new Engine();
    const skip = ringOpens(engine);
    if (skip !== undefined) {
      await engine.close();
      return t.skip(skip);
    }
    const fs = createFs(engine);
    const call = round % 2 === 0 ? 'readlink' : 'realpath';
    const pending = links.map((link) => settle(() => fs[call](link)));
    const closed = engine.close();
    const outcomes = await Promise.all(pending);
    await closed;
    for (const [i, outcome] of outcomes.entries()) {
      const expected = call === 'readlink' ? `${i}.bin` : (links[i] as string).replace(/\.lnk$/, '.bin');
      if (outcome.ok) assert.equal(outcome.value, expected, `round ${round}, call ${i}`);
      else assert.equal((outcome.error as { code?: string }).code, 'ESHUTDOWN', `round ${round}, call ${i}: ${String(outcome.error)}`);
    }
    assert.equal(openFdsBesideTheLoader(), before, `round ${round}: fds left open`);
  }
});
