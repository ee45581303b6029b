/**
 * `aio.suspend(list, { signal })` with a `signal` that is not an AbortSignal must be refused as
 * `aio.read`'s is (TypeError ERR_INVALID_ARG_TYPE, `The "options.signal" property must be an
 * instance of AbortSignal`), and must never crash the process.
 *
 * Found by hunt19 from the packed package: with a listed read waiting on an empty FIFO,
 * `aio.suspend([cb], { timeout: 100, signal: 'x' })` rejected with `TypeError:
 * signal?.addEventListener is not a function` (no code), and when the read later completed (data
 * written to the FIFO) the process died on the io_uring engine with an uncaught `TypeError:
 * signal?.removeEventListener is not a function` from the completion hook (exit 1). aio.read,
 * aio.write and aio.fsync validate their signal already.
 *
 * Fixed by the coordinator: suspend checks its options with optionsOf and signalOf first.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runChild } from './helpers/child.js';

const CHILD = `
import { aio, Aiocb, aio_read, aio_return } from ${JSON.stringify(new URL('../index.ts', import.meta.url).href)};
import { openPipe } from ${JSON.stringify(new URL('./helpers/pipe.ts', import.meta.url).href)};
import { writeSync } from 'node:fs';
const { reader: readEnd, writer: writeEnd } = openPipe();
const outcomes = [];
const cbs = [];
for (const bad of ['x', {}]) {
  const cb = new Aiocb({ aio_fildes: readEnd, aio_buf: Buffer.alloc(4) });
  cbs.push(cb);
  aio_read(cb);
  try {
    outcomes.push({ resolved: await aio.suspend([cb], { timeout: 100, signal: bad }) });
  } catch (error) {
    outcomes.push({ name: error.name, code: error.code, message: error.message });
  }
}
writeSync(writeEnd, 'abcdefgh');
// Let the reads complete: a crash comes from their completion.
await new Promise((resolve) => setTimeout(resolve, 1500));
console.log(JSON.stringify({ outcomes, reads: cbs.map((cb) => aio_return(cb)) }));
process.exit(0);
`;

test('aio.suspend with a signal that is not an AbortSignal is refused and never crashes', { timeout: 60_000 }, async () => {
  const child = await runChild(CHILD, 30_000);
  assert.equal(child.timedOut, false, 'the child ended');
  assert.equal(child.code, 0, `the process lives: ${child.stderr}`);
  const { outcomes, reads } = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as { outcomes: { name?: string; code?: string; message?: string }[]; reads: number[] };
  assert.deepEqual(reads, [4, 4], 'both reads completed');
  for (const outcome of outcomes) {
    assert.equal(outcome.code, 'ERR_INVALID_ARG_TYPE', JSON.stringify(outcome));
    assert.match(outcome.message ?? '', /"options\.signal" property must be an instance of AbortSignal/);
  }
});
