// Argument conversion by kind, and shadow cells: ints and fds are sign-extended, sizes and
// pointers zero-extended; a result word feeding a later argument keeps flowing after conversion;
// hard-denied calls keep their x86-64 number so the engine's policy answers -EPERM at run time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { MemoryRegistry } from '../engine/memory.js';
import { syscallByName, SYSLET_NR } from '../engine/syscalls/table.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { closeEngine } from './compat32-fixture.js';

const i386 = (name: string): number => syscallByName(name)?.i386 as number;
const x64 = (name: string): number => syscallByName(name)?.x86_64 as number;

test('a getpid result flows into kill(pid, 0); -1 stays -1; denied mmap2 becomes -EPERM; umem_add decrements', async (t) => {
  const engine = new Engine();
  t.after(() => closeEngine(engine));
  const b = new ImageBuilder();
  const atoms = b.atoms(5);
  const [getpid, kill, lseek, mmap2, umem] = atoms as [number, number, number, number, number];
  const pid = b.word(0);
  const signal = b.word(0);
  const killRet = b.word(77);
  const badFd = b.word(-1);
  const offset = b.word(-5);
  const whence = b.word(1);
  const lseekRet = b.word(0);
  const mmapRet = b.word(0);
  const counter = b.word(10);
  const counterPtr = b.word(counter);
  const minusThree = b.word(-3);
  const umemRet = b.word(0);
  b.setAtom(getpid, { nr: i386('getpid'), ret: pid, next: kill });
  b.setAtom(kill, { nr: i386('kill'), ret: killRet, next: lseek, args: [pid, signal] });
  b.setAtom(lseek, { nr: i386('lseek'), ret: lseekRet, next: mmap2, args: [badFd, offset, whence] });
  b.setAtom(mmap2, { nr: i386('mmap2'), ret: mmapRet, next: umem, args: [b.word(0), b.word(4096)] });
  b.setAtom(umem, { nr: SYSLET_NR.umem_add, ret: umemRet, args: [counterPtr, minusThree] });
  const image = parseImage(b.file(getpid));
  using arena = Arena32.load(engine.memory, image);
  using conversion = convertChain(arena, engine.memory, image.entry);

  const lseekArgs = conversion.atoms[2]?.args ?? [];
  assert.deepEqual(lseekArgs.map((a) => a.rule), ['sign-extend', 'sign-extend', 'sign-extend']);
  assert.deepEqual(lseekArgs.map((a) => a.value64), [-1n, -5n, 1n]);
  assert.equal(conversion.atoms[1]?.args[0]?.cell64, conversion.atoms[0]?.retCell64, 'kill reads its pid from getpid\'s result cell');
  assert.equal(conversion.atoms[3]?.nr64, x64('mmap'), 'i386-only mmap2 keeps a denied x86-64 number');
  assert.equal(conversion.atoms[4]?.name64, 'umem_add32', 'a plain 32-bit word counts modulo 2^32');
  assert.equal(conversion.atoms[4]?.args[1]?.value64, -3n);

  const done = await runConverted(engine, conversion);
  assert.equal(done.atoms, 5);
  assert.equal(arena.i32(pid), process.pid);
  assert.equal(arena.i32(killRet), 0, 'kill(getpid(), 0) succeeded: the pid flowed');
  assert.equal(arena.i32(lseekRet), -9, 'lseek(-1, ...) is -EBADF: the fd was sign-extended');
  assert.equal(arena.i32(mmapRet), -1, 'mmap2 is denied by the engine\'s policy (-EPERM)');
  assert.equal(arena.i32(counter), 7);
  assert.equal(arena.i32(umemRet), 7);
  assert.equal(arena.i32(badFd), -1, 'words no atom writes are left alone');
});

test('preadv2 gets a zero cell for its unused pos_h so the engine still reads its flags', () => {
  const b = new ImageBuilder();
  const [atom] = b.atoms(1) as [number];
  const iov = b.take(8);
  const buffer = b.take(16);
  b.setWord(iov, buffer);
  b.setWord(iov + 4, 16);
  b.setAtom(atom, { nr: i386('preadv2'), args: [b.word(3), b.word(iov), b.word(1), b.word(0x10), b.word(0x2), b.word(0x8)] });
  const image = parseImage(b.file(atom));
  const memory = new MemoryRegistry();
  using arena = Arena32.load(memory, image);
  using conversion = convertChain(arena, memory, image.entry);
  const args = conversion.atoms[0]?.args ?? [];
  assert.deepEqual(args.map((a) => a.rule), ['sign-extend', 'iovec array', 'sign-extend', 'joined lo/hi', 'gap (zero)', 'zero-extend']);
  assert.equal(args[3]?.value64, 0x2_0000_0010n);
  assert.equal(args[5]?.value64, 8n);
  // The 64-bit iovec the engine will read: the arena buffer, zero-extended, and its length.
  const iov64 = Number(args[1]?.value64);
  const region = memory.find(iov64, 16);
  assert.ok(region !== null && region.kind === 'engine');
  assert.equal(region.view.getBigUint64(iov64 - region.start, true), BigInt(buffer));
  assert.equal(region.view.getBigUint64(iov64 - region.start + 8, true), 16n);
});
