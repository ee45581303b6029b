/**
 * Direct ring requests (engine/uring-direct.ts, Engine.ringDirect: one SQE for a caller that is
 * not a chain) answer exactly once: with what the same syscall answers (IORING_OP_STATX against
 * statx(2) made directly, for files, a directory, a missing path and a path through a file), and
 * on an engine closed while they are in flight, each with its result or -ECANCELED. A program
 * whose only work is a direct request in flight waits for it before it exits.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ECANCELED, IORING_OP, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { AT_FDCWD } from '../engine/syscalls/constants.generated.js';
import type { Region } from '../engine/region.js';
import { engineUrl } from './helpers/child.js';
import { tempDir } from './helpers/engine.js';

const STATX_BYTES = 256;
const MASK = 0xfff;
const PATH_BYTES = 512;

function ringStatx(engine: Engine): string | undefined {
  const info = engine.asyncEngine;
  if (info.kind !== 'io_uring') return `the engine uses cachemiss threads (${info.reason})`;
  return info.calls.includes('statx') ? undefined : 'this kernel\'s ring has no IORING_OP_STATX';
}

/** A record in engine memory: a struct statx, then a C string. */
function record(engine: Engine, path: string): { region: Region; stx: number; path: number } {
  const region = engine.alloc(STATX_BYTES + PATH_BYTES);
  const bytes = Buffer.from(region.bytes.buffer, region.bytes.byteOffset, region.bytes.byteLength);
  bytes[STATX_BYTES + bytes.write(path, STATX_BYTES, 'utf8')] = 0;
  return { region, stx: region.start, path: region.start + STATX_BYTES };
}

/** The statx fields that identify a file (ino, size, mode) from a struct statx at `view`. */
function fields(view: DataView): { mode: number; ino: bigint; size: bigint } {
  return { mode: view.getUint16(28, true), ino: view.getBigUint64(32, true), size: view.getBigUint64(40, true) };
}

test('a direct STATX request answers what statx(2) answers, once', async (t) => {
  const engine = new Engine();
  t.after(() => engine.close());
  const skip = ringStatx(engine);
  if (skip !== undefined) return t.skip(skip);
  const dir = tempDir(t);
  writeFileSync(join(dir, 'file'), 'x'.repeat(1234));
  mkdirSync(join(dir, 'sub'));
  const paths = [join(dir, 'file'), join(dir, 'sub'), join(dir, 'missing'), join(dir, 'file', 'below'), '/'];
  for (const path of paths) {
    const ring = record(engine, path);
    const direct = record(engine, path);
    const answers: number[] = [];
    const done = new Promise<void>((resolve) => {
      const target = { ringDone: (res: number): void => { answers.push(res); resolve(); } };
      assert.equal(engine.ringDirect(target, IORING_OP.STATX, AT_FDCWD, ring.stx, ring.path, MASK, 0), true);
    });
    await done;
    const expected = syscall(NR.statx, AT_FDCWD, direct.path, 0, MASK, direct.stx);
    // A later turn: no second answer comes.
    await new Promise((resolve) => setTimeout(resolve, 20));
    assert.deepEqual(answers, [expected], path);
    if (expected === 0) assert.deepEqual(fields(ring.region.view), fields(direct.region.view), path);
    engine.free(ring.region);
    engine.free(direct.region);
  }
});

test('direct requests in flight when the engine closes answer once each, with their result or -ECANCELED', async (t) => {
  const dir = tempDir(t);
  const files = Array.from({ length: 64 }, (_, i) => join(dir, `f${i}`));
  for (const file of files) writeFileSync(file, file);
  for (let round = 0; round < 6; round++) {
    const engine = new Engine();
    const skip = ringStatx(engine);
    if (skip !== undefined) {
      await engine.close();
      return t.skip(skip);
    }
    const answers: number[][] = files.map(() => []);
    let written = 0;
    files.forEach((file, i) => {
      const one = record(engine, file);
      if (engine.ringDirect({ ringDone: (res) => answers[i]?.push(res) }, IORING_OP.STATX, AT_FDCWD, one.stx, one.path, MASK, 0)) written++;
    });
    assert.equal(written, files.length);
    if (round % 2 === 1) engine.pump();
    await engine.close();
    for (const [i, got] of answers.entries()) {
      assert.equal(got.length, 1, `round ${round}, request ${i}: ${got.length} answers`);
      assert.ok(got[0] === 0 || got[0] === -ECANCELED, `round ${round}, request ${i}: ${String(got[0])}`);
    }
    // A closed engine takes none.
    const late = record(engine, files[0] as string);
    assert.equal(engine.ringDirect({ ringDone: () => assert.fail('answered') }, IORING_OP.STATX, AT_FDCWD, late.stx, late.path, MASK, 0), false);
  }
});

test('a program whose only work is a direct request in flight waits for its answer before it exits', (t) => {
  const dir = tempDir(t);
  const child = join(dir, 'child.mts');
  writeFileSync(child, `
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { IORING_OP } from ${JSON.stringify(engineUrl('native/index'))};
const engine = new Engine();
if (engine.asyncEngine.kind !== 'io_uring' || !engine.asyncEngine.calls.includes('statx')) {
  console.log('skip');
} else {
  const region = engine.alloc(1024);
  Buffer.from(region.bytes.buffer, region.bytes.byteOffset + 256, 2).write('/\\0', 'latin1');
  engine.ringDirect({ ringDone: (res) => console.log('answered', res) }, IORING_OP.STATX, -100, region.start, region.start + 256, 0xfff, 0);
}
`);
  const result = spawnSync(process.execPath, ['--import', 'tsx', child], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.status, 0, result.stderr);
  const out = result.stdout.trim();
  if (out === 'skip') return t.skip('no io_uring statx here');
  assert.equal(out, 'answered 0');
});
