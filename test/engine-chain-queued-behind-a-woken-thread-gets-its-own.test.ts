// A chain submitted right behind another, while the pool's one idle thread has been woken for the
// first but has not yet left its idle count, still gets a thread of its own when the pool has
// room for one. The pool used to start a thread only when none was counted idle: the second chain
// then queued behind the first, and when the first blocked waiting for the second (a read of a
// socket the second writes) neither ever completed. Each round: one warm idle thread, a blocking
// read and the write that satisfies it submitted back to back; both must complete. The child's
// time limit catches the hang; rounds repeat because the window is a race the thread may win.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, engineUrl } from './helpers/child.js';

const ROUNDS = 12;

test('a chain queued behind a thread woken for the previous one gets a thread of its own', async () => {
  const child = await runChild(`
import { setTimeout as delay } from 'node:timers/promises';
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { SYSLET_ASYNC } from ${JSON.stringify(engineUrl('atom'))};
const AF_UNIX = 1, SOCK_STREAM = 1;
for (let round = 0; round < ${ROUNDS}; round++) {
  const engine = new Engine({ threads: 4, idleTimeMs: 60_000 });
  await engine.warm(1);
  // Let the thread reach its idle wait (if it has not, the round only proves less).
  await delay(100);
  using pair = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const sv = pair.buffer(8);
  pair.atom('socketpair', [AF_UNIX, SOCK_STREAM, 0, sv]);
  engine.runChainSync(pair.first);
  const fds = new DataView(sv.bytes.buffer, sv.bytes.byteOffset, 8);
  const reader = fds.getInt32(0, true);
  const writer = fds.getInt32(4, true);
  using read = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const into = read.buffer(1);
  const readAtom = read.atom('read', [reader, into, 1], { flags: SYSLET_ASYNC });
  using write = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const writeAtom = write.atom('write', [writer, write.buffer(new Uint8Array([42])), 1], { flags: SYSLET_ASYNC });
  const both = [engine.runChain(read.first), engine.runChain(write.first)];
  await Promise.all(both);
  if (readAtom.result.value !== 1 || writeAtom.result.value !== 1 || into.bytes[0] !== 42) throw new Error('round ' + round + ': read ' + readAtom.result.value + ', write ' + writeAtom.result.value);
  using close = new ChainBuilder(engine.memory, { maxAtoms: 2, dataBytes: 256 });
  close.atom('close', [reader]);
  close.atom('close', [writer]);
  engine.runChainSync(close.first);
  await engine.close();
  console.log('round ' + round + ' done');
}
`, 120_000);
  const rounds = child.stdout.split('\n').filter((line) => line.endsWith(' done')).length;
  assert.equal(child.timedOut, false, `hung after ${rounds} rounds: the second chain never got a thread\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.equal(rounds, ROUNDS);
});
