// A program built with `gcc -m32` and no -D_FILE_OFFSET_BITS=64 (no O_LARGEFILE) is the oracle:
// it lays out a chain of 25 open/openat/stat/lstat/fstat/fstat64/close calls on a sparse 2 GiB
// file, a 2 GiB − 1 file, a small file, a symlink to the big one, a directory and a file owned by
// uid/gid 100000 (16-bit fields: overflowuid), and makes the
// same calls natively, in the same order. The converted chain must give what the i386 ABI gave:
// EOVERFLOW for open/openat without O_LARGEFILE of a file past 2 GiB − 1 (and no truncation by
// O_TRUNC), for stat/lstat/fstat of it into the old 64-byte struct stat; success at exactly
// 2 GiB − 1, with O_LARGEFILE or O_PATH, for fstat64, for a symlink's lstat and a directory; the
// same struct stat bytes where a call succeeded, and no bytes written where it failed. fds are
// compared by validity (the numbers belong to two processes). It used to open and stat them all.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { buildFixture, closeEngine, makeImage, skipOrFail } from './compat32-fixture.js';

const MAX_NON_LFS = 2 ** 31 - 1;
const COMPAT_STAT_BYTES = 64;
const STAT64_BYTES = 96;

test('non-LFS open/openat/stat/lstat/fstat of a 2 GiB file answer as gcc -m32 programs see them', async (t) => {
  const built = buildFixture();
  if ('problem' in built) return skipOrFail(t, built.problem);
  const files = join(built.dir, 'files');
  mkdirSync(files);
  const big = join(files, 'big');
  const edge = join(files, 'edge');
  const small = join(files, 'small');
  const link = join(files, 'link');
  execFileSync('truncate', ['-s', String(MAX_NON_LFS + 1), big]);
  execFileSync('truncate', ['-s', String(MAX_NON_LFS), edge]);
  writeFileSync(small, 'small file\n');
  symlinkSync(big, link);
  // Owned by ids that do not fit in the old 16-bit fields: i386 stat says overflowuid/gid (65534).
  // Without the right to chown (not root), the ids are the caller's, and both sides still agree.
  const wide = join(files, 'wide');
  writeFileSync(wide, '');
  try {
    chownSync(wide, 100_000, 100_000);
  } catch {
    t.diagnostic('chown to 100000 refused: the 16-bit id overflow goes unexercised');
  }
  const { file, manifest } = makeImage(built.binary, built.dir, 'nonlfs', [big, edge, small, link, files, wide]);
  const calls = manifest.calls as unknown as string[];
  const oracle = manifest.oracle as number[];
  const rets = manifest.rets as number[];
  const buffers = manifest.buffers as number[];
  const oracleBuffers = manifest.oracleBuffers as unknown as string[];
  const image = parseImage(file);
  const engine = new Engine();
  t.after(async () => {
    await closeEngine(engine);
    rmSync(built.dir, { recursive: true, force: true });
  });
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  const names = conversion.atoms.map((atom) => atom.name64);
  assert.ok(names.includes('open_nonlfs') && names.includes('openat_nonlfs') && names.includes('stat_compat') && names.includes('lstat_compat') && names.includes('fstat_compat'), names.join(' '));
  const done = await runConverted(engine, conversion);
  assert.equal(done.stopName, 'end');
  assert.equal(done.atoms, calls.length);

  const table: string[] = [];
  calls.forEach((call, i) => {
    const expected = oracle[i] as number;
    const got = arena.i32(rets[i] as number);
    table.push(`${call}: gcc -m32 ${expected}, converted ${got}`);
    if (expected >= 0) assert.ok(got >= 0, `${call}: the i386 call succeeded (${expected}), the converted one gave ${got}`);
    else assert.equal(got, expected, call);
  });
  t.diagnostic(table.join('; '));
  assert.ok(oracle.filter((result) => result === -75).length >= 7, 'the oracle saw EOVERFLOW where expected');

  // Struct stat bytes: buffers 0-4 and 6 hold the i386 struct stat (64 bytes), buffer 5 a struct stat64.
  // Buffer 3 is the symlink's lstat: following the link (as both processes do) moves its atime
  // (st_atime and st_atime_nsec, bytes 32-39), so those 8 bytes are left out of its comparison.
  const SYMLINK_BUFFER = 3;
  const withoutAtime = (hex: string): string => hex.slice(0, 64) + hex.slice(80);
  buffers.forEach((address, b) => {
    const size = b === 5 ? STAT64_BYTES : COMPAT_STAT_BYTES;
    const converted = Buffer.from(arena.read(address, size)).toString('hex');
    const expected = (oracleBuffers[b] as string).slice(0, size * 2);
    if (b === SYMLINK_BUFFER) assert.equal(withoutAtime(converted), withoutAtime(expected), `buffer ${b}`);
    else assert.equal(converted, expected, `buffer ${b}`);
  });
  assert.equal(statSync(big).size, MAX_NON_LFS + 1, 'open(big, O_WRONLY|O_TRUNC) refused without truncating');
  if (statSync(wide).uid === 100_000) assert.equal(Buffer.from(arena.read(buffers[6] as number, 16)).readUInt16LE(12), 65534, 'st_uid is overflowuid');
});
