// Struct arguments whose layout differs on i386: fstat64 fills a 32-bit struct stat64 (converted
// back from the 64-bit struct stat), clock_gettime fills a 32-bit timespec, nanosleep reads one,
// and rt_sigqueueinfo's siginfo moves its union from offset 12 to 16.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fstatSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { syscallByName } from '../engine/syscalls/table.js';
import { Arena32, SIGINFO32, SIGINFO64, STAT64_32, TIMESPEC32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { closeEngine } from './compat32-fixture.js';

const i386 = (name: string): number => syscallByName(name)?.i386 as number;

test('fstat64, clock_gettime, nanosleep and rt_sigqueueinfo convert their structs', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-compat32-structs-'));
  const path = join(dir, 'file.bin');
  writeFileSync(path, Buffer.alloc(12345, 1));
  const fd = openSync(path, 'r');
  const engine = new Engine();
  t.after(async () => {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
    await closeEngine(engine);
  });
  const b = new ImageBuilder();
  const [fstat, clock, sleep, queue] = b.atoms(4) as [number, number, number, number];
  const stat = b.take(STAT64_32.size, 8);
  b.setWord(stat + STAT64_32.fields.st_blksize.offset, 0xdead);
  const now = b.take(TIMESPEC32.size);
  const request = b.take(TIMESPEC32.size);
  b.setWord(request, 0);
  b.setWord(request + 4, 1_000_000);
  const info = b.take(SIGINFO32.size);
  b.setWord(info + SIGINFO32.fields.si_signo.offset, 0);
  b.setWord(info + SIGINFO32.fields.si_code.offset, -1); // SI_QUEUE
  b.setWord(info + SIGINFO32.fields.si_pid.offset, process.pid);
  b.setWord(info + SIGINFO32.fields.si_uid.offset, 4242);
  b.setWord(info + SIGINFO32.fields.si_value.offset, 0x8765_4321);
  const rets = [b.word(1), b.word(1), b.word(1), b.word(1)];
  b.setAtom(fstat, { nr: i386('fstat'), ret: rets[0], next: clock, args: [b.word(fd), b.word(stat)] });
  b.setAtom(clock, { nr: i386('clock_gettime'), ret: rets[1], next: sleep, args: [b.word(0), b.word(now)] });
  b.setAtom(sleep, { nr: i386('nanosleep'), ret: rets[2], next: queue, args: [b.word(request), b.word(0)] });
  b.setAtom(queue, { nr: i386('rt_sigqueueinfo'), ret: rets[3], args: [b.word(process.pid), b.word(0), b.word(info)] });
  const image = parseImage(b.file(fstat));
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);
  assert.deepEqual(conversion.atoms.map((a) => a.args.find((arg) => arg.rule !== 'sign-extend' && arg.rule !== 'zero-extend')?.rule), ['stat64', 'timespec', 'timespec', 'siginfo']);

  // The 64-bit siginfo the engine will pass: the union moved from 12 to 16, si_value zero-extended.
  const info64 = Number(conversion.atoms[3]?.args[2]?.value64);
  const region = engine.memory.find(info64, SIGINFO64.size);
  assert.ok(region !== null);
  const at = info64 - region.start;
  assert.equal(region.view.getInt32(at + SIGINFO64.fields.si_code.offset, true), -1);
  assert.equal(region.view.getInt32(at + SIGINFO64.fields.si_pid.offset, true), process.pid);
  assert.equal(region.view.getUint32(at + SIGINFO64.fields.si_uid.offset, true), 4242);
  assert.equal(region.view.getBigUint64(at + SIGINFO64.fields.si_value.offset, true), 0x8765_4321n);

  const before = Date.now() / 1000;
  const done = await runConverted(engine, conversion);
  assert.equal(done.stopName, 'end');
  assert.deepEqual(rets.map((r) => arena.i32(r)), [0, 0, 0, 0]);
  assert.equal(done.wroteBack.structs, 2, 'stat64 and clock_gettime\'s timespec are out-structs; nanosleep\'s request is in-only, its rem NULL');
  const expected = fstatSync(fd, { bigint: true });
  const field = (name: keyof typeof STAT64_32.fields): bigint => {
    const place = STAT64_32.fields[name];
    return place.size === 8 ? arena.view.getBigUint64(stat + place.offset - arena.base, true) : BigInt(arena.u32(stat + place.offset));
  };
  assert.equal(field('st_size'), 12345n);
  assert.equal(field('st_ino'), expected.ino);
  assert.equal(field('__st_ino'), expected.ino & 0xffff_ffffn);
  assert.equal(field('st_mode'), expected.mode);
  assert.equal(field('st_nlink'), expected.nlink);
  assert.equal(field('st_blksize'), expected.blksize);
  assert.equal(field('st_blocks'), expected.blocks);
  assert.equal(field('st_mtime'), expected.mtimeMs / 1000n);
  const seconds = arena.i32(now);
  assert.ok(Math.abs(seconds - before) < 5, `clock_gettime wrote ${seconds}, expected about ${before}`);
  assert.ok(arena.i32(now + 4) >= 0 && arena.i32(now + 4) < 1e9);
});
