// A chain that polls a counter another chain moves completes, even when the governor caps the
// threads that run chains below the core count. After a run of short CPU-bound chains the engine
// lets only one cachemiss thread per core but one run chains, and a thread keeps its
// active slot from chain to chain; with every slot held by a polling chain, the chain that would
// set the counter waited for a slot that never came, and the pollers spun into the atom limit
// (found by the race fuzz campaign: a mutator chain stopped with `limit`, or hung for 60 s).
// Threads are forced: the short chains must run on them for the governor to see them.
// The pollers read the flag with lseek(fd, flag, SEEK_SET), which answers the offset it is given
// and writes nothing: polling with umem_add(flag, 0) wrote the value back, and umem_add is not
// atomic (a counter belongs to one chain), so a poller that read 0 just before the setter's
// increment stored 0 over it, and the others spun into the atom limit (1 run in 3 once the
// executor got faster; the race fuzz reads its `ended` cells the same way for the same reason).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC, SYSLET_STOP_ON_NONZERO } from '../engine/atom.js';
import { SEEK_SET } from '../engine/syscalls/constants.generated.js';

test('pollers holding every active slot do not starve the chain they wait for', { timeout: 120_000 }, async (t) => {
  const cores = availableParallelism();
  const engine = new Engine({ engine: 'threads', threads: cores + 2, minThreads: cores + 2, maxAtomsPerChain: 1 << 24 });
  t.after(() => engine.close());
  await engine.warm(cores + 2);
  // Short CPU-bound chains: the governor caps the running threads below the core count.
  using short = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  short.atom('getpid', [], { flags: SYSLET_ASYNC });
  for (let round = 0; round < 20; round++) await Promise.all(Array.from({ length: 50 }, () => engine.runChain(short.first)));
  // As many pollers as cores, each spinning until the flag is set.
  using shared = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  const flag = shared.cell(0);
  const dir = mkdtempSync(join(tmpdir(), 'syslet-poll-'));
  const probe = openSync(join(dir, 'probe'), 'w+');
  t.after(() => {
    closeSync(probe);
    rmSync(dir, { recursive: true, force: true });
  });
  const pollers = Array.from({ length: cores }, () => {
    const chain = new ChainBuilder(engine.memory, { maxAtoms: 1 });
    t.after(() => chain[Symbol.dispose]());
    const poll = chain.atom('lseek', [probe, flag.ref, SEEK_SET], { flags: SYSLET_ASYNC | SYSLET_STOP_ON_NONZERO });
    chain.link(poll, poll);
    return engine.runChain(chain.first);
  });
  // Let them take the slots, then ask for the chain that sets the flag.
  await new Promise((resolve) => setTimeout(resolve, 200));
  using setter = new ChainBuilder(engine.memory, { maxAtoms: 1 });
  setter.atom('umem_add', [flag.ref, 1], { flags: SYSLET_ASYNC });
  const set = await engine.runChain(setter.first);
  assert.equal(set.stop, STOP.end);
  const ends = await Promise.all(pollers);
  assert.deepEqual(ends.map((end) => end.stop), ends.map(() => STOP.flag), 'every poller saw the flag (none ran into the atom limit)');
});
