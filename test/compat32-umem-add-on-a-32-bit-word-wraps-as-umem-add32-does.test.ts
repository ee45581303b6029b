// An i386 chain's umem_add (i386 1024 = umem_add32) on a plain 32-bit word counts modulo 2^32,
// as the engine's own umem_add32 does (docs/syslets.md §2.4: "the same on a 32-bit word. Returns
// the new unsigned 32-bit value"): a counter at 0xfffffffd, +1 each round with
// STOP_ON_ZERO|SKIP_TO_NEXT_ON_STOP, reaches 0 after 3 adds and leaves the loop. hunt26: compat32
// converts it into a 64-bit umem_add on a zero-extended cell (compat32/convert.ts:102), so the
// count goes 0xfffffffe, 0xffffffff, 0x100000000... and is never 0: the loop ran until the
// engine's atom limit (10,000 here, 1,048,576 by default), and the write-back then truncated the
// runaway count (9,997). The same with +8 from 0xfffffff0. (Split-offset halves are a documented
// exception: their add carries into the high word on purpose.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_ZERO } from '../engine/atom.js';
import { syscallByName, SYSLET_NR } from '../engine/syscalls/table.js';
import { Arena32, convertChain, parseImage, runConverted } from '../compat32/index.js';
import { ImageBuilder } from './compat32-image-builder.js';
import { closeEngine } from './compat32-fixture.js';

const LIMIT = 10_000;
const LOOP = SYSLET_STOP_ON_ZERO | SYSLET_SKIP_TO_NEXT_ON_STOP;

/** The rounds and final counter of the same loop as a 64-bit chain on umem_add32: the reference. */
function reference(engine: Engine, start: number, increment: number): { atoms: number; counter: bigint } {
  using chain = new ChainBuilder(engine.memory);
  const counter = chain.cell(start);
  const add = chain.atom('umem_add32', [counter.ref, increment], { flags: LOOP });
  chain.atom('getpid', []);
  chain.link(add, add);
  const done = engine.runChainSync(chain.first);
  return { atoms: done.atoms, counter: BigInt(counter.value) };
}

for (const [start, increment] of [[0xfffffffd, 1], [0xfffffff0, 8]] as const) {
  test(`an i386 umem_add loop from ${start.toString(16)} by ${increment} wraps to 0 and ends, as umem_add32 does`, async (t) => {
    const engine = new Engine({ maxAtomsPerChain: LIMIT });
    t.after(() => closeEngine(engine));
    const want = reference(engine, start, increment);
    assert.ok(want.atoms < 10 && want.counter === 0n, `the reference loop: ${JSON.stringify({ atoms: want.atoms, counter: String(want.counter) })}`);

    const b = new ImageBuilder(0xc0000000);
    const [add, end] = b.atoms(2) as [number, number];
    const counter = b.word(start);
    const counterPtr = b.word(counter);
    const inc = b.word(increment);
    b.setAtom(add, { nr: SYSLET_NR.umem_add, flags: LOOP, ret: b.word(0), next: add, args: [counterPtr, inc] });
    b.setAtom(end, { nr: syscallByName('getpid')?.i386 as number, ret: b.word(0) });
    const image = parseImage(b.file(add));
    using arena = Arena32.load(engine.memory, image);
    using conversion = convertChain(arena, engine.memory, image.entry);
    const done = await runConverted(engine, conversion);
    assert.notEqual(done.stopName, 'limit', `the loop ran to the atom limit (${done.atoms} atoms); the counter word reads ${arena.view.getUint32(counter - image.base, true)}`);
    assert.equal(done.atoms, want.atoms);
    assert.equal(arena.view.getUint32(counter - image.base, true), 0);
  });
}
