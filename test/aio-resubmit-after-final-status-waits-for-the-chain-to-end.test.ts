/**
 * A program that saw a final status in aio_error may submit the aiocb again at once, even when the
 * chain that published it has not ended yet. aio_status writes `__error_code`, and the executor
 * records that the atom ran (its result cell) only after it: a caller that reads the status in
 * between — a few instructions, unless the cachemiss thread is preempted there, as on CI's loaded
 * machine (run 21: aio_write returned -1/EINVAL in the middle of a QD64 loop) — was refused as
 * "already in progress". The window is reproduced here by writing the status into the aiocb while
 * a read waits on an empty FIFO, as aio_status would; the FIFO gets data 300 ms later, from
 * another process, while this thread waits in aio_read. The resubmission must wait for the chain
 * to end and then succeed. (When the chain does not end within the bound, it is still -1/EINVAL:
 * test/aio-status-fields-written-by-the-program-stay-out-of-request-state.test.ts.)
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;

test('an aiocb whose status reads final while its chain still runs: the next aio_read waits for the chain, then succeeds', async () => {
  const child = await runChild(
    `
import { openSync, writeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { Aiocb, aio_read, aio_error, aio_return, aio_suspend, errno, errnoName, EINPROGRESS } from ${JSON.stringify(INDEX)};
const path = join(mkdtempSync(join(tmpdir(), 'syslet-settle-')), 'fifo');
execFileSync('mkfifo', [path]);
const fd = openSync(path, 'r+');
const buffer = Buffer.alloc(64);
const cb = new Aiocb({ aio_fildes: fd, aio_buf: buffer, aio_nbytes: 64 });
const outcome = { first: aio_read(cb) };
outcome.waiting = errnoName(aio_error(cb));
// What aio_status has done when its thread is preempted before the executor records it.
cb.__return_value = 3;
cb.__error_code = 0;
spawn('sh', ['-c', 'sleep 0.3; printf one > "$0"', path], { stdio: 'ignore' });
outcome.second = aio_read(cb);
outcome.secondErrno = outcome.second === 0 ? null : errnoName(errno());
writeSync(fd, 'two');
while (aio_error(cb) === EINPROGRESS) aio_suspend([cb], { tv_sec: 5, tv_nsec: 0 });
outcome.final = [aio_error(cb), aio_return(cb), buffer.subarray(0, 3).toString()];
console.log(JSON.stringify(outcome));
process.exit(0);
`,
    60_000,
  );
  assert.equal(child.timedOut, false, `the child hung:\n${child.stdout}\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(outcome, { first: 0, waiting: 'EINPROGRESS', second: 0, secondErrno: null, final: [0, 3, 'two'] });
});
