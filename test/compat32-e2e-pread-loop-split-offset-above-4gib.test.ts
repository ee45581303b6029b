// A real i386 pread64 loop (gcc -m32): the offset is split in two 32-bit words, starts 1 KiB
// below 8 GiB in a sparse file, and is advanced by 32-bit umem_add atoms on its low word; the
// loop ends through STOP_ON_ZERO|SKIP_TO_NEXT_ON_STOP into close. The joined 64-bit cell makes
// the low-word add carry into the high word, so the reads cross the 8 GiB boundary correctly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, ftruncateSync, openSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { buildFixture, closeEngine, makeImage, skipOrFail } from './compat32-fixture.js';

const START = 0x1_ffff_fc00; // 8 GiB - 1 KiB: above 4 GiB, and the low word will wrap.
const CHUNK = 512;
const LOOPS = 4;

test('an i386 pread64 loop with a split offset above 4 GiB reads the marker and carries into the high word', async (t) => {
  const built = buildFixture();
  if ('problem' in built) return skipOrFail(t, built.problem);
  const path = join(built.dir, 'sparse.bin');
  const marker = Buffer.alloc(CHUNK * LOOPS);
  for (let i = 0; i < marker.length; i++) marker[i] = (i * 7 + 13) & 0xff;
  const fd = openSync(path, 'w');
  ftruncateSync(fd, START + marker.length + 0x10000);
  assert.equal(writeSync(fd, marker, 0, marker.length, START), marker.length);
  closeSync(fd);
  const { file, manifest } = makeImage(built.binary, built.dir, 'pread', [path, String(START), String(CHUNK), String(LOOPS)]);
  const image = parseImage(file);
  const engine = new Engine();
  t.after(async () => {
    await closeEngine(engine);
    rmSync(built.dir, { recursive: true, force: true });
  });
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  // The offset's low word (a joined cell) gets the 64-bit add that carries; the plain counter and
  // buffer words count modulo 2^32 as on i386 (umem_add32).
  assert.deepEqual(conversion.atoms.map((atom) => atom.name64), ['openat_nonlfs', 'pread64', 'umem_add', 'umem_add32', 'umem_add32', 'close']);
  const pread = conversion.atoms[1];
  assert.equal(pread?.args[3]?.rule, 'joined lo/hi');
  assert.equal(pread?.args[3]?.value64, BigInt(START));

  const done = await runConverted(engine, conversion);
  const word = (name: string): number => arena.u32(manifest[name] as number);
  // openat, then LOOPS × (pread64 + 3 umem_add), then close.
  assert.equal(done.atoms, 1 + LOOPS * 4 + 1);
  assert.equal(done.stopName, 'end');
  assert.equal(done.last32, conversion.atoms[5]?.atom32.address);
  const end = START + CHUNK * LOOPS;
  assert.equal(word('off_lo'), end % 2 ** 32);
  assert.equal(word('off_hi'), Math.floor(end / 2 ** 32), 'the low-word umem_add carried into the high word');
  assert.equal(word('remaining'), 0);
  assert.equal(arena.i32(manifest.nread as number), CHUNK);
  assert.equal(word('buf'), (manifest.buffer as number) + CHUNK * LOOPS);
  assert.equal(arena.i32(manifest.closed as number), 0);
  // umem_add's result is the new value, truncated to a 32-bit long for the 32-bit program.
  assert.equal(word('new_off'), end % 2 ** 32);
  assert.deepEqual(Buffer.from(arena.read(manifest.buffer as number, marker.length)), marker);
});
