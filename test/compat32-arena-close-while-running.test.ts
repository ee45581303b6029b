// Closing a compat32 arena (and its conversion) while a converted chain is still running never
// touches unmapped memory: the arena stays registered and mapped until the run has ended (its
// write-back included), then it is unmapped. Each order is repeated 100 times in one child
// process, so a SIGSEGV is a failed test with the order that caused it, not a dead runner.
//   - closed before the run ends: the chain sleeps in read() on a cachemiss thread, the
//     conversion and the arena are closed, then the data arrives; the chain still opens a path
//     that lives in the arena, and the write-back still lands;
//   - the documented `using` order: the scope that owns both ends while the chain sleeps;
//   - closed around the write-back: the chain sleeps a random 0-1 ms on a cachemiss thread and
//     the main thread closes after a random 0-2 ms busy wait, so the close lands before, while
//     and after the thread finishes (its completion still queued for the write-back);
//   - a chain started with engine.runChain (not runConverted): the arena is closed while it
//     runs; the mapping outlives the chain (the registry's deferred release), and a late
//     writeBack() is refused with EFAULT instead of writing into unmapped memory.
// Every repetition loads the next arena at the same base, which fails with EEXIST if the
// previous mapping was leaked; the last check reads /proc/self/maps.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, engineUrl } from './helpers/child.js';

const REPETITIONS = 100;
const url = (path: string): string => JSON.stringify(new URL(path, import.meta.url).href);

const SCRIPT = `
import { readFileSync, readSync, writeSync } from 'node:fs';
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { syscallByName } from ${JSON.stringify(engineUrl('syscalls/table'))};
import { Arena32, convertChain, parseImage, runConverted } from ${url('../compat32/index.ts')};
import { ImageBuilder } from ${url('./compat32-image-builder.ts')};
import { socketPair } from ${url('./helpers/engine.ts')};

const BASE = 0xa7000000;
const REPETITIONS = ${REPETITIONS};
const nr = (name) => syscallByName(name).i386;
const engine = new Engine({ threads: 2 });
const [reader, writer] = socketPair(engine);

// first(...) -> openat(AT_FDCWD, "/proc/self/comm", O_RDONLY) -> close(fd): the path lives in the arena.
function image(first) {
  const b = new ImageBuilder(BASE, 0x2000);
  const [a0, a1, a2] = b.atoms(3);
  const r0 = b.word(0), fd = b.word(0), r2 = b.word(0);
  if (first === 'read') {
    const buf = b.take(16);
    b.setAtom(a0, { nr: nr('read'), ret: r0, next: a1, args: [b.word(reader), b.word(buf), b.word(16)] });
  } else {
    const ts = b.take(8);
    b.setWord(ts, 0);
    b.setWord(ts + 4, Math.floor(Math.random() * 1_000_000));
    b.setAtom(a0, { nr: nr('nanosleep'), ret: r0, next: a1, args: [b.word(ts), b.word(0)] });
  }
  b.setAtom(a1, { nr: nr('openat'), ret: fd, next: a2, args: [b.word(-100), b.word(b.string('/proc/self/comm')), b.word(0)] });
  b.setAtom(a2, { nr: nr('close'), ret: r2, args: [fd] });
  return { image: parseImage(b.file(a0)), words: { r0, fd, r2 } };
}

function busyWait(ms) {
  const until = performance.now() + ms;
  while (performance.now() < until);
}

const counts = { closedBeforeEnd: 0, usingScope: 0, aroundWriteBack: 0, direct: 0, refusedWriteBack: 0, refusedRun: 0, faulted: 0 };

function check(done, label) {
  const [first, opened, closed] = done.results.map((r) => r.ret32);
  if (done.stopName !== 'end' || !(opened >= 0) || closed !== 0 || done.wroteBack.words !== 3) {
    throw new Error(label + ': unexpected completion ' + JSON.stringify(done));
  }
  return first;
}

for (let i = 0; i < REPETITIONS; i++) {
  {
    const { image: img } = image('read');
    const arena = Arena32.load(engine.memory, img);
    const conversion = convertChain(arena, engine.memory, img.entry);
    const running = runConverted(engine, conversion);
    await new Promise((resolve) => setTimeout(resolve, 1));
    conversion.close();
    arena.close();
    if (arena.region === null) throw new Error('arena retired while its run was in flight');
    try { arena.u32(BASE); throw new Error('a closed arena answered u32'); } catch (error) { if (error.code !== 'EFAULT') throw error; }
    writeSync(writer, 'hello');
    if (check(await running, 'closed before the run ended') !== 5) throw new Error('read did not return 5');
    if (arena.region !== null || engine.memory.find(BASE, 4) !== null) throw new Error('arena still registered after the run');
    counts.closedBeforeEnd++;
  }
  {
    const { image: img } = image('read');
    let running;
    {
      using arena = Arena32.load(engine.memory, img);
      using conversion = convertChain(arena, engine.memory, img.entry);
      running = runConverted(engine, conversion);
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    writeSync(writer, 'hello');
    if (check(await running, 'using scope') !== 5) throw new Error('read did not return 5');
    counts.usingScope++;
  }
  {
    const { image: img } = image('nanosleep');
    const arena = Arena32.load(engine.memory, img);
    const conversion = convertChain(arena, engine.memory, img.entry);
    const running = runConverted(engine, conversion);
    busyWait(Math.random() * 2);
    conversion.close();
    arena.close();
    check(await running, 'around the write-back');
    counts.aroundWriteBack++;
  }
  {
    const { image: img } = image('read');
    const arena = Arena32.load(engine.memory, img);
    const conversion = convertChain(arena, engine.memory, img.entry);
    const chain = engine.runChain(conversion.entry64);
    await new Promise((resolve) => setTimeout(resolve, 1));
    arena.close();
    writeSync(writer, 'hello');
    const done = await chain;
    if (done.mode !== 'cachemiss') throw new Error('expected the read to sleep on a cachemiss thread');
    // Closed before the thread picked the chain up, the read finds the arena gone: -EFAULT, and
    // the bytes stay in the socket. Either answer is right; a crash is not.
    const read = Number(conversion.cell64(conversion.atoms[0].retCell64));
    if (read === -14) { readSync(reader, Buffer.alloc(16)); counts.faulted++; }
    else if (read !== 5) throw new Error('direct run: read returned ' + read);
    try { conversion.writeBack(); } catch (error) { if (error.code === 'EFAULT') counts.refusedWriteBack++; else throw error; }
    try { await runConverted(engine, conversion); } catch (error) { if (error.code === 'EFAULT') counts.refusedRun++; else throw error; }
    conversion.close();
    counts.direct++;
  }
}
const maps = readFileSync('/proc/self/maps', 'utf8');
const mapped = maps.split('\\n').some((line) => line.startsWith(BASE.toString(16) + '-'));
await engine.close();
console.log(JSON.stringify({ ...counts, mapped }));
`;

test(`closing the arena in every order while the converted chain runs: ${REPETITIONS} times each, no crash, no leaked mapping`, async (t) => {
  const child = await runChild(SCRIPT, 120_000);
  assert.equal(child.timedOut, false, `the child hung: ${child.stdout}${child.stderr}`);
  assert.equal(child.signal, null, `the child died of ${child.signal}: ${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const { faulted, ...counts } = JSON.parse(child.stdout.trim()) as Record<string, unknown>;
  t.diagnostic(`direct runs whose read found the arena already gone (-EFAULT): ${String(faulted)} of ${REPETITIONS}`);
  assert.deepEqual(counts, {
    closedBeforeEnd: REPETITIONS, usingScope: REPETITIONS, aroundWriteBack: REPETITIONS, direct: REPETITIONS,
    refusedWriteBack: REPETITIONS, refusedRun: REPETITIONS, mapped: false,
  });
});
