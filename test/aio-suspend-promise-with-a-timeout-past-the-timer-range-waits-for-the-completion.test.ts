/**
 * `aio.suspend(list, { timeout })` with a timeout past Node's timer range (2^31 - 1 ms, about 24.9
 * days) waits for the completion, as glibc's aio_suspend waits with any relative timeout that
 * fits its clock (tv_sec 2^62: waits, no CPU). A timer that long is "no timeout" in practice; it
 * must never turn into one of 1 ms.
 *
 * hunt25 (session 25), from the packed package, the listed read (a pipe) completing 1 s later:
 * `{ tv_sec: 2147483 }` resolved at 1,010 ms; `{ tv_sec: 2147484 }`, `2147483648`, `1e12`, `2**70`,
 * `Number.MAX_VALUE` and `{ tv_sec: 2**64 }` rejected AioError EAGAIN after 0-66 ms, with Node's
 * `TimeoutOverflowWarning: 2147484000 does not fit into a 32-bit signed integer. Timeout duration
 * was set to 1.` (shim/promises.ts passes the milliseconds to setTimeout as they are).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, writeSync } from 'node:fs';
import { aio, Aiocb, aio_read, aio_return } from '../index.js';
import { openPipe } from './helpers/pipe.js';

const LATER_MS = 300;
const TIMEOUTS = [{ tv_sec: 2_147_484, tv_nsec: 0 }, 2 ** 31, Number.MAX_SAFE_INTEGER];

test('aio.suspend with a timeout past 2^31-1 ms waits for the completion', async (t) => {
  const { reader, writer } = openPipe();
  t.after(() => { closeSync(reader); closeSync(writer); });
  const warnings: string[] = [];
  const onWarning = (warning: Error): void => { warnings.push(`${warning.name}: ${warning.message}`); };
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const outcomes: string[] = [];
  for (const timeout of TIMEOUTS) {
    const cb = new Aiocb({ aio_fildes: reader, aio_buf: Buffer.alloc(4) });
    assert.equal(aio_read(cb), 0);
    const timer = setTimeout(() => writeSync(writer, 'abcd'), LATER_MS);
    const started = performance.now();
    let outcome: string;
    try {
      await aio.suspend([cb], { timeout });
      outcome = 'resolved';
    } catch (error) {
      outcome = `rejected ${(error as { code?: string }).code ?? String(error)}`;
    }
    const elapsedMs = Math.round(performance.now() - started);
    // Whatever suspend said, let the read end before the next round reuses the pipe.
    await new Promise((resolve) => setTimeout(resolve, LATER_MS + 100));
    clearTimeout(timer);
    outcomes.push(`${JSON.stringify(timeout)}: ${outcome} after ${elapsedMs} ms, read ${aio_return(cb)}`);
  }
  assert.deepEqual(outcomes.filter((line) => !/: resolved after \d+ ms, read 4$/.test(line)), [], outcomes.join('\n'));
  assert.deepEqual(warnings.filter((line) => line.startsWith('TimeoutOverflowWarning')), []);
});
