/**
 * aio_suspend with a timeout of 2^63 seconds or more — what `9223372036854775807` (C's INT64_MAX,
 * a "forever" idiom) is as a JavaScript number, or 1e300 — answers as a wait without limit would
 * (as `Number.MAX_VALUE` does: its milliseconds are Infinity), sleeping: 0 once the listed request completes (or, as glibc gives for INT64_MAX
 * whose absolute time overflows, -1/EAGAIN or -1/EINVAL at once), never a thrown exception, never
 * a thread spinning until the completion.
 *
 * hunt25 (session 25), from the packed package, the listed pipe read completing 1.5 s later,
 * main-thread CPU from /proc/thread-self/stat: tv_sec 10, 1e25, 1e200 slept (0 ms of CPU); 2^63
 * and 2^64 returned 0 at the completion after 1,030-1,100 ms of CPU on io_uring (410-450 ms on
 * threads); 1e300 threw `RangeError: The number Infinity cannot be converted to a BigInt` (its
 * nanoseconds overflow, its milliseconds do not). Here, 1 s waits: 240-380 ms of CPU, 4 of 4 runs. engine/engine-wake.ts writes the sleep as `BigInt(seconds)` into an int64: from
 * 2^63 it wraps (ppoll EINVAL, or a zero timeout) and the wait goes round at once.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Aiocb, aio_read, aio_suspend, aio_error, aio_return, errno, errnoName, EINPROGRESS } from '../index.js';
import { openPipe } from './helpers/pipe.js';

const LATER_MS = 1000;
const TV_SECS = [2 ** 63, 2 ** 64, 1e300, Number.MAX_VALUE];

/** This thread's CPU time (utime + stime, clock ticks of 10 ms) from /proc. */
function threadCpuMs(): number {
  const stat = readFileSync('/proc/thread-self/stat', 'latin1');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

test('aio_suspend with a timeout past 2^63 seconds sleeps until the completion', async (t) => {
  const { reader, writer } = openPipe();
  t.after(() => { closeSync(reader); closeSync(writer); });
  const outcomes: string[] = [];
  for (const tv_sec of TV_SECS) {
    const cb = new Aiocb({ aio_fildes: reader, aio_buf: Buffer.alloc(4) });
    assert.equal(aio_read(cb), 0);
    // aio_suspend blocks this thread: another process writes the bytes.
    const writerProcess = spawn('sh', ['-c', `sleep ${LATER_MS / 1000}; printf abcd`], { stdio: ['ignore', writer, 'ignore'] });
    const exited = new Promise((resolve) => writerProcess.on('exit', resolve));
    const started = performance.now();
    const cpuBefore = threadCpuMs();
    let outcome: string;
    try {
      const result = aio_suspend([cb], 1, { tv_sec, tv_nsec: 0 });
      outcome = result === 0 ? '0' : `-1 ${errnoName(errno())}`;
    } catch (error) {
      outcome = `threw ${String(error)}`;
    }
    const cpuMs = threadCpuMs() - cpuBefore;
    const elapsedMs = Math.round(performance.now() - started);
    await exited;
    while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], 1, null);
    const spun = outcome === '0' && cpuMs > elapsedMs / 4;
    outcomes.push(`tv_sec ${tv_sec}: ${outcome} after ${elapsedMs} ms, ${cpuMs} ms of CPU${spun ? ' (spun)' : ''}, read ${aio_return(cb)}`);
  }
  const wrong = outcomes.filter((line) => line.includes('threw') || line.includes('(spun)') || !/: (0|-1 EAGAIN|-1 EINVAL) after/.test(line));
  assert.deepEqual(wrong, [], outcomes.join('\n'));
});
