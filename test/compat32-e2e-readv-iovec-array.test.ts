// A real i386 readv (gcc -m32) with an array of three 8-byte iovecs: the converter turns it into
// three 16-byte iovecs in engine memory whose buffers are the arena's, so the data lands in the
// 32-bit program's buffers in order.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { buildFixture, closeEngine, makeImage, skipOrFail } from './compat32-fixture.js';

test('an i386 readv fills the three buffers of its 32-bit iovec array', async (t) => {
  const built = buildFixture();
  if ('problem' in built) return skipOrFail(t, built.problem);
  const path = join(built.dir, 'readv.txt');
  const content = 'AAAAABBBBBBBBBBBthe rest goes into the third buffer';
  writeFileSync(path, content);
  const { file, manifest } = makeImage(built.binary, built.dir, 'readv', [path]);
  const image = parseImage(file);
  const engine = new Engine();
  t.after(async () => {
    await closeEngine(engine);
    rmSync(built.dir, { recursive: true, force: true });
  });
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  assert.equal(conversion.atoms[1]?.args[1]?.rule, 'iovec array');
  const done = await runConverted(engine, conversion);
  assert.equal(done.stopName, 'end');
  assert.equal(arena.i32(manifest.nread as number), content.length);
  assert.equal(arena.i32(manifest.closed as number), 0);
  const [first, second, third] = manifest.iov as number[];
  const [size0, size1] = manifest.sizes as number[];
  const text = (address: number | undefined, length: number): string => new TextDecoder().decode(arena.read(address as number, length));
  assert.equal(text(first, size0 as number), 'AAAAA');
  assert.equal(text(second, size1 as number), 'BBBBBBBBBBB');
  assert.equal(text(third, content.length - 16), 'the rest goes into the third buffer');
});
