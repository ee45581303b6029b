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
import { runChild } from './helpers/child.js';
import { blockedSocketChainsChild } from './helpers/blocked-socket-chains.js';

const PAIRS = 6;

test('a synchronous wait starts threads past the active bound for chains queued behind blocked ones', async () => {
  const child = await runChild(blockedSocketChainsChild(PAIRS, `
// Every read first: the writes queue behind them. The last write is waited for synchronously:
// the event loop (and so any timer) does not run until it has completed.
const last = writes.pop();
const done = [...reads, ...writes].map(({ b }) => engine.runChain(b.first));
const end = engine.runChainSync(last.b.first);
if (end.result !== 1) throw new Error('the synchronous write gave ' + end.result);
writes.push(last);
await Promise.all(done);
`), 60_000);
  assert.equal(child.timedOut, false, `hung: runChainSync never returned: chains queued behind blocked ones got no thread during the synchronous wait\n${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /all 12 chains completed/);
});
