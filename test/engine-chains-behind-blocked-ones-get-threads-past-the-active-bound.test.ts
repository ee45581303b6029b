// Chains queued behind blocked ones get threads even when every thread the active bound allows is
// alive and blocked. The bound (the governor's: how many threads run chains at once) also bounds
// how many threads the pool starts, and it changes only as chains complete: six reads of sockets
// that six writes queued behind them would satisfy used to leave every allowed thread blocked in a
// read and the rest of the chains queued for ever. Then engine.close() must return: it used to
// wait out the idle time (60 s here) of each thread that had given its active slot back and
// waited for one (the queue's shutdown woke only threads waiting for work). The child's time
// limit catches either hang. Threads are forced (engine: 'threads'): on io_uring these reads
// would not take a thread.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';
import { blockedSocketChainsChild } from './helpers/blocked-socket-chains.js';

const PAIRS = 6;

test('chains queued behind blocked ones get threads past the active bound', async () => {
  const child = await runChild(blockedSocketChainsChild(PAIRS, `
// Every read first: the writes queue behind them.
const done = [...reads, ...writes].map(({ b }) => engine.runChain(b.first));
await Promise.all(done);
`), 60_000);
  assert.equal(child.timedOut, false, `hung: chains queued behind blocked ones never got a thread\n${child.stdout}${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  assert.match(child.stdout, /all 12 chains completed/);
});
