// The race campaign's own bookkeeping must not race. umem_add is a read-modify-write that is not
// atomic (docs/syslets.md: a counter belongs to one chain), so a cell that two chains umem_add on
// different cachemiss threads can lose an update. The campaign once ended its mutators on a
// `running` counter that every victim decremented and every mutator read back with
// umem_add(…, 0): under load a decrement was lost, the counter never reached 0, and a mutator spun
// on after every victim had ended — to the 16M-atom limit ("chain 3 stopped with 3") or past the
// case's 60 s ("chains did not complete", in flight 1, the mutator alone). The only cells two
// chains may umem_add are the raced fields, whose whole point is to be raced.
// The cases are laid out, not run: what is checked is the chains' atoms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ATOM } from '../engine/atom.js';
import { readPointer } from '../engine/words.js';
import type { MemoryRegistry } from '../engine/memory.js';
import { World, buildCase } from './fuzz/race.js';

const SEED = 982291904;
const CASES = 60;

/** The address umem_add(32)'s first argument names: arg_ptr[0] points at a word holding it. */
function umemTarget(memory: MemoryRegistry, atom: number): number {
  const region = memory.find(atom, ATOM.size);
  assert.ok(region !== null, 'the atom lies in engine memory');
  const argument = readPointer(region.view, atom - region.start + ATOM.arg_ptr);
  const argumentRegion = memory.find(argument, 8);
  assert.ok(argumentRegion !== null, "the atom's argument lies in engine memory");
  return readPointer(argumentRegion.view, argument - argumentRegion.start);
}

test('no cell but a raced field is read-modify-written by more than one chain of a race case', async () => {
  const world = new World();
  try {
    let mutatorsSeen = 0;
    for (let index = 0; index < CASES; index++) {
      const { victims, built, cleanup } = buildCase(world, SEED, index);
      const raced = new Set<number>();
      for (const victim of victims) {
        for (const field of victim.fields) {
          if (field.word !== undefined) raced.add(field.word.at);
          if (field.word32 !== undefined) raced.add(field.word32.at);
        }
      }
      const writers = new Map<number, Set<number>>();
      built.forEach((entry, chain) => {
        if (entry.victim === null) mutatorsSeen++;
        for (const atom of entry.chain.atoms) {
          if (atom.name !== 'umem_add' && atom.name !== 'umem_add32') continue;
          const target = umemTarget(world.engine.memory, atom.at);
          if (raced.has(target)) continue;
          const chains = writers.get(target) ?? new Set<number>();
          chains.add(chain);
          writers.set(target, chains);
        }
      });
      for (const [target, chains] of writers) {
        assert.equal(chains.size, 1, `case ${index}: the cell at ${target} is umem_add'ed by chains ${[...chains].join(', ')}`);
      }
      for (const entry of built) entry.chain[Symbol.dispose]();
      for (const release of cleanup) release();
    }
    assert.ok(mutatorsSeen > 0, 'the cases checked include mutators');
  } finally {
    await world.close();
  }
});
