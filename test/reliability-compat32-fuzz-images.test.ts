// Issue #8, fuzzing compat32: random 32-bit images — the sample image and random valid chains
// (test/compat32-image-builder.ts) mutated byte- and word-wise (atom numbers, flags, ret/next/arg
// pointers to inside, the edges of and outside the image, header fields, truncation), plus
// headerless random bytes — laid out at bases >= 0x90000000 (lower ones can collide with node's
// heap). Each is converted and run by runImage on an engine narrowed to harmless calls: the
// outcome is a ConversionError/ArenaError (typed, with an errno name) or a completion whose every
// result is a number (a kernel value or -errno: denied calls are -EPERM). Never a crash.
// Size: a fixed number of images (SYSLET_FUZZ_IMAGES, default 4000), so what the test asserts never
// depends on the machine's speed; SYSLET_FUZZ_SECONDS runs for that long instead. Seed: SYSLET_FUZZ_SEED.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../index.js';
import { ArenaError, ConversionError, runImage, serializeImage } from '../compat32/index.js';
import { sampleImage } from '../compat32/sample.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { Prng, seedFor } from './fuzz/prng.js';
import { closeQuietly } from './fuzz/corpus.js';
import { fuzzSeed } from './helpers/fuzz-seed.js';

const seconds = process.env.SYSLET_FUZZ_SECONDS === undefined ? null : Number(process.env.SYSLET_FUZZ_SECONDS);
const count = seconds === null ? Number(process.env.SYSLET_FUZZ_IMAGES ?? 4000) : Number.POSITIVE_INFINITY;
const seed = fuzzSeed(20261204);
const ALLOW = ['getpid', 'gettid', 'getppid', 'getuid', 'sched_yield', 'clock_gettime', 'umem_add', 'umem_add32'];
const I386 = ['getpid', 'gettid', 'getuid', 'sched_yield', 'clock_gettime', 'read', 'write', 'close', 'openat', 'fork', 'mmap2', 'exit', 'kill', 'nanosleep', 'pread64', 'fstat64']
  .map((name) => syscallByName(name)?.i386)
  .filter((nr): nr is number => nr !== undefined && nr >= 0);

function randomChain(r: Prng, base: number): Uint8Array {
  const builder = new ImageBuilder(base, 0x2000);
  const count = 1 + r.int(6);
  const atoms = builder.atoms(count);
  const words = Array.from({ length: 8 }, () => builder.word(r.pick([0, 1, 16, 0xffffffff, base, base + 0x100])));
  const buffer = builder.take(256);
  atoms.forEach((address, i) => {
    builder.setAtom(address, {
      nr: r.chance(0.9) ? r.pick(I386) : r.int(500),
      flags: r.chance(0.7) ? 0 : r.pick([1, 2, 4, 8, 16, 32, 64, 128, 0x100]),
      ret: r.chance(0.8) ? builder.word(0) : 0,
      next: i + 1 < count ? (atoms[i + 1]) : r.chance(0.2) ? (atoms[0]) : 0,
      args: Array.from({ length: 6 }, () => (r.chance(0.5) ? r.pick(words) : r.chance(0.5) ? builder.word(buffer) : 0)),
    });
  });
  return builder.file(atoms[0] as number);
}

function mutate(r: Prng, file: Uint8Array, base: number): Uint8Array {
  const out = new Uint8Array(file);
  const view = new DataView(out.buffer);
  const edges = [0, base - 4, base, base + 0x1000 - 4, base + 0x1000, base + 0x2000, 0x7fff_0000, 0xffff_fffc, base + 2];
  for (let n = 1 + r.int(6); n > 0; n--) {
    const k = r.int(10);
    const at = r.int(Math.max(1, out.length - 4));
    if (k < 3) out[at] = r.int(256);
    else if (k < 6) view.setUint32(at & ~3, r.pick(edges) + 4 * r.int(16), true);
    else if (k < 8) view.setUint32(at & ~3, r.u32(), true);
    else if (k === 8) view.setUint32(r.pick([8, 16, 20, 24]), r.pick([0, 1, r.u32(), 0x10000, 0xffffffff]), true); // header fields (not the base)
    else return out.subarray(0, r.int(out.length)); // truncated
  }
  return out;
}

test(`random 32-bit images: a ConversionError/ArenaError or a run whose results are numbers (seed ${seed}, ${seconds === null ? count : `${seconds} s`})`, (t) => {
  const engine = new Engine({ allow: ALLOW, maxAtomsPerChain: 256, threads: 2 });
  t.after(() => closeQuietly(engine));
  const figures = { images: 0, conversionErrors: 0, arenaErrors: 0, runs: 0, atomResults: 0, errnos: {} as Record<string, number>, codes: {} as Record<string, number>, stops: {} as Record<string, number> };
  const deadline = seconds === null ? Number.POSITIVE_INFINITY : performance.now() + seconds * 1000;
  for (let i = 0; i < count && performance.now() < deadline; i++) {
    const r = new Prng(seedFor(seed, i));
    const base = 0x9000_0000 + 0x10000 * r.int(0x6000);
    const k = r.int(10);
    let file: Uint8Array;
    if (k < 3) file = mutate(r, serializeImage(sampleImage(base)), base);
    else if (k < 8) file = r.chance(0.3) ? randomChain(r, base) : mutate(r, randomChain(r, base), base);
    else {
      // Headerless raw bytes, loaded at a given base.
      file = new Uint8Array(4 + r.int(4096));
      for (let j = 0; j < file.length; j++) file[j] = r.int(256);
    }
    figures.images++;
    try {
      const { completion } = runImage(engine, file, k >= 8 ? { base, entry: base + 44 * r.int(4) } : {});
      figures.runs++;
      figures.stops[completion.stopName] = (figures.stops[completion.stopName] ?? 0) + 1;
      assert.ok(Number.isInteger(completion.result32) && (typeof completion.result64 === 'bigint' || Number.isSafeInteger(completion.result64)), `seed ${seed} #${i}: result ${completion.result64}`);
      for (const result of completion.results) {
        if (result.ret32 === null) continue;
        figures.atomResults++;
        assert.ok(Number.isInteger(result.ret32), `seed ${seed} #${i}: ${result.name} ret ${result.ret32}`);
        if (result.ret32 < 0 && result.ret32 > -4096) figures.errnos[String(-result.ret32)] = (figures.errnos[String(-result.ret32)] ?? 0) + 1;
      }
    } catch (error) {
      if (error instanceof ConversionError) {
        figures.conversionErrors++;
        assert.match(error.code, /^E[A-Z0-9]+$/);
        assert.ok(error.field.length > 0);
        figures.codes[error.code] = (figures.codes[error.code] ?? 0) + 1;
      } else if (error instanceof ArenaError) {
        figures.arenaErrors++;
        figures.codes[`arena ${error.code}`] = (figures.codes[`arena ${error.code}`] ?? 0) + 1;
      } else {
        assert.fail(`seed ${seed} #${i}: runImage threw ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
      }
    }
  }
  t.diagnostic(JSON.stringify(figures));
  assert.ok(figures.runs > 0 && figures.conversionErrors > 0, JSON.stringify(figures));
});
