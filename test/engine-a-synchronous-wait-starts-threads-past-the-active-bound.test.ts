// A synchronous wait (runChainSync, waitUntil; the POSIX layer's aio_suspend and lio_listio
// LIO_WAIT wait the same way) starts threads past the active bound for chains queued behind
// blocked ones, as the event loop does (test engine-chains-behind-blocked-ones-get-threads-past-
// the-active-bound). The pool looks for a stall from a timer, and no timer fires while the
// calling thread is blocked in the wait: six reads of sockets, with the six writes that satisfy
// them queued behind, and a runChainSync of the last write waited for ever. The child's time limit
// catches the hang. Threads are forced (engine: 'threads'): on io_uring these reads would not
// take a thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild, engineUrl } from './helpers/child.js';

const PAIRS = 6;

test('a synchronous wait starts threads past the active bound for chains queued behind blocked ones', async () => {
  const child = await runChild(`
import { Engine } from ${JSON.stringify(engineUrl('engine'))};
import { ChainBuilder } from ${JSON.stringify(engineUrl('builder'))};
import { SYSLET_ASYNC } from ${JSON.stringify(engineUrl('atom'))};
const AF_UNIX = 1, SOCK_STREAM = 1;
const engine = new Engine({ engine: 'threads', threads: ${PAIRS + 2}, minThreads: 2, idleTimeMs: 60_000 });
await engine.warm(2);
// As the governor sets it for short CPU-bound chains on two cores.
engine.setActiveBound(1);
const builders = [];
const builder = () => {
  const b = new ChainBuilder(engine.memory, { maxAtoms: 2, dataBytes: 256 });
  builders.push(b);
  return b;
};
const pairs = [];
for (let i = 0; i < ${PAIRS}; i++) {
  const b = builder();
  const sv = b.buffer(8);
  b.atom('socketpair', [AF_UNIX, SOCK_STREAM, 0, sv]);
  engine.runChainSync(b.first);
  const fds = new DataView(sv.bytes.buffer, sv.bytes.byteOffset, 8);
  pairs.push([fds.getInt32(0, true), fds.getInt32(4, true)]);
}
const reads = pairs.map(([reader], i) => {
  const b = builder();
  const into = b.buffer(1);
  return { b, into, atom: b.atom('read', [reader, into, 1], { flags: SYSLET_ASYNC }), value: 40 + i };
});
const writes = pairs.map(([, writer], i) => {
  const b = builder();
  return { b, atom: b.atom('write', [writer, b.buffer(new Uint8Array([40 + i])), 1], { flags: SYSLET_ASYNC }) };
});
// Every read first: the writes queue behind them. The last write is waited for synchronously:
// the event loop (and so any timer) does not run until it has completed.
const last = writes.pop();
const done = [...reads, ...writes].map(({ b }) => engine.runChain(b.first));
const end = engine.runChainSync(last.b.first);
if (end.result !== 1) throw new Error('the synchronous write gave ' + end.result);
writes.push(last);
await Promise.all(done);
for (const read of reads) if (read.atom.result.value !== 1 || read.into.bytes[0] !== read.value) throw new Error('read ' + read.atom.result.value + ', byte ' + read.into.bytes[0]);
for (const write of writes) if (write.atom.result.value !== 1) throw new Error('write ' + write.atom.result.value);
for (const [reader, writer] of pairs) {
  const b = builder();
  b.atom('close', [reader]);
  b.atom('close', [writer]);
  engine.runChainSync(b.first);
}
for (const b of builders) b[Symbol.dispose]();
await engine.close();
console.log('all ${PAIRS * 2} chains completed');
`, 60_000);
  assert.equal(child.timedOut, false, `hung: runChainSync never returned: chains queued behind blocked ones got no thread during the synchronous wait\n${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /all 12 chains completed/);
});
