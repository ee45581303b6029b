// A submission the engine refuses runs nothing (issue 15 item 10: with 65,536 chains in flight,
// async_exec([umem_add(&c, 1), read(empty socket)]) returned -EAGAIN but c was 1 — the inline
// part had run before the engine found it had no token left for the chain's asynchronous part).
// Every chain may go asynchronous, so the token is checked before the first atom.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Engine } from '../engine/engine.js';
import { ChainBuilder } from '../engine/builder.js';
import { SYSLET_ASYNC } from '../engine/atom.js';
import { EAGAIN } from '../engine/native/index.js';
import { closeAll, socketPair } from './helpers/engine.js';

const MAX_INFLIGHT = 65536;

test('with every token in use, async_exec returns -EAGAIN before the first atom runs', async (t) => {
  const engine = new Engine({ threads: 1 });
  const [reader, writer] = socketPair(engine);
  t.after(() => closeAll(reader, writer));
  // One blocked reader on the only thread, and the rest of the tokens queued behind it.
  using filler = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  filler.atom('read', [reader, filler.buffer(1), 1], { flags: SYSLET_ASYNC });
  let inflight = 0;
  while (inflight < MAX_INFLIGHT + 10 && engine.async_exec(filler.first) === 0n) inflight++;
  assert.equal(inflight, MAX_INFLIGHT, 'every token is in use');

  using probe = new ChainBuilder(engine.memory);
  const counter = probe.cell(0);
  const add = probe.atom('umem_add', [counter.ref, 1]);
  probe.atom('read', [reader, probe.buffer(1), 1]);
  assert.equal(engine.async_exec(probe.first), BigInt(-EAGAIN));
  assert.equal(counter.value, 0, 'the refused chain ran nothing');
  assert.equal(add.result.value, 0, 'its first atom has no result');

  // A chain that would have completed inline is refused the same way: whether a chain blocks is
  // known only once it runs.
  using inline = new ChainBuilder(engine.memory);
  const pid = inline.atom('getpid', []);
  assert.equal(engine.async_exec(inline.first), BigInt(-EAGAIN));
  assert.equal(pid.result.value, 0);

  await engine.close();
  assert.equal(engine.inflight, 0, 'close() completed every queued chain');
});
