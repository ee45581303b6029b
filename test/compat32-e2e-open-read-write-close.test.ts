// A real i386 chain built by gcc -m32 (openat → read → openat → write → close → close), loaded
// at its fixed base, converted and run by the engine: the file is copied, and every 32-bit result
// word holds what the 32-bit program would have seen (fds flowing from openat into read/write,
// the byte count flowing from read into write).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { buildFixture, closeEngine, makeImage, skipOrFail } from './compat32-fixture.js';

test('an i386 openat/read/write/close chain copies a file through the engine', async (t) => {
  const built = buildFixture();
  if ('problem' in built) return skipOrFail(t, built.problem);
  const input = join(built.dir, 'input.txt');
  const output = join(built.dir, 'output.txt');
  const text = 'syslets in 32 bits, converted once\n';
  writeFileSync(input, text);
  const { file, manifest } = makeImage(built.binary, built.dir, 'rw', [input, output]);
  const image = parseImage(file);
  assert.equal(image.base, 0xc0000000);
  const engine = new Engine();
  t.after(async () => {
    await closeEngine(engine);
    rmSync(built.dir, { recursive: true, force: true });
  });
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  assert.equal(conversion.atoms.length, manifest.atoms);
  assert.deepEqual(conversion.atoms.map((atom) => atom.name64), ['openat_nonlfs', 'read', 'openat_nonlfs', 'write', 'close', 'close']);
  t.diagnostic(`conversion of ${conversion.atoms.length} atoms took ${(conversion.conversionNs / 1e6).toFixed(3)} ms, ${conversion.bytes64} bytes of engine memory`);

  const done = await runConverted(engine, conversion);
  assert.equal(done.stopName, 'end');
  assert.equal(done.atoms, 6);
  const word = (name: string): number => arena.i32(manifest[name] as number);
  assert.ok(word('fd_in') >= 0, `fd_in ${word('fd_in')}`);
  assert.ok(word('fd_out') >= 0 && word('fd_out') !== word('fd_in'));
  assert.equal(word('nread'), text.length);
  assert.equal(word('nwritten'), text.length);
  assert.equal(word('closed_in'), 0);
  assert.equal(word('closed_out'), 0);
  assert.equal(readFileSync(output, 'utf8'), text);
  assert.equal(new TextDecoder().decode(arena.read(manifest.buffer as number, text.length)), text);
  assert.equal(done.last32, conversion.atoms[5]?.atom32.address);
  assert.deepEqual(done.results.map((r) => r.ret32), [word('fd_in'), text.length, word('fd_out'), text.length, 0, 0]);
});
