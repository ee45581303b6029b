// A cachemiss thread that dies mid-chain (engine.killCachemissThread, fault injection) does not
// lose its chain: the chain completes with -EOWNERDEAD and stop reason `died` (5), and the pool
// replaces the thread — later chains still run. The completion names the atom that was running
// when the thread died, and atoms that had already completed keep their results.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { STOP, SYSLET_ASYNC } from '../engine/atom.js';
import { EOWNERDEAD } from '../engine/native/index.js';
import { closeAll, socketPair, SYS, untilBlockedIn } from './helpers/engine.js';

test('a thread killed while blocked: the chain completes with -EOWNERDEAD, stop died; the pool still works', { timeout: 15_000 }, async (t) => {
  const engine = new Engine({ threads: 2, minThreads: 0, engine: 'threads' });
  t.after(() => engine.close());
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  using chain = new ChainBuilder(engine.memory);
  const read = chain.atom('read', [reader, chain.buffer(16), 16]);
  const done = engine.runChain(chain.first);
  await untilBlockedIn(SYS.read, reader);
  assert.equal(await engine.killCachemissThread(0), true);
  const died = await done;
  assert.equal(died.result, -EOWNERDEAD);
  assert.equal(died.stop, STOP.died);
  assert.equal(died.stop, 5);
  assert.equal(died.last, read.at);
  assert.equal(read.result.value, -EOWNERDEAD, 'the atom\'s result word says so too');
  assert.equal(engine.inflight, 0);

  using after = new ChainBuilder(engine.memory);
  after.atom('getpid', [], { flags: SYSLET_ASYNC });
  const next = await engine.runChain(after.first);
  assert.equal(next.result, process.pid, 'a new chain runs on a replacement thread');
  assert.equal(next.mode, 'cachemiss');
  assert.ok(engine.threads >= 1 && engine.threads <= 2);
});

test('killing with no thread running reports false', async (t) => {
  const engine = new Engine({ threads: 1, minThreads: 0, engine: 'threads' });
  t.after(() => engine.close());
  assert.equal(await engine.killCachemissThread(0), false);
});

test('the died completion names the atom that was running; earlier atoms keep their results', { timeout: 15_000 }, async (t) => {
  const engine = new Engine({ threads: 2, minThreads: 0, engine: 'threads' });
  t.after(() => engine.close());
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  using chain = new ChainBuilder(engine.memory);
  const first = chain.atom('getpid', [], { flags: SYSLET_ASYNC });
  const read = chain.atom('read', [reader, chain.buffer(16), 16]);
  const done = engine.runChain(chain.first);
  await untilBlockedIn(SYS.read, reader);
  assert.equal(await engine.killCachemissThread(0), true);
  const died = await done;
  assert.equal(died.stop, STOP.died);
  assert.equal(died.result, -EOWNERDEAD);
  assert.equal(first.result.value, process.pid, 'getpid completed before the thread died: its result stands');
  assert.equal(died.last, read.at, 'the chain died in read, not in getpid');
  assert.equal(read.result.value, -EOWNERDEAD);
  assert.ok(died.atoms >= 1, `atoms ${died.atoms}: getpid ran before the thread died`);
});
