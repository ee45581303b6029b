/**
 * The program may write an aiocb's `__error_code` and `__return_value` (public setters, as C may
 * write the struct; aio_error then reports what the field holds, as glibc's does), but that never
 * reaches the request engine's own state: with a read still blocked on an empty FIFO, setting
 * `__error_code = 0` and submitting the aiocb again gives -1/EINVAL (it is in progress; a status
 * that reads final is first given one second to turn out to be a chain just ending, see
 * aio-resubmit-after-final-status-waits-for-the-chain-to-end), instead of blocking the JS thread
 * forever (issue 15 item 6); assigning a new aio_buf is still
 * refused; and the read completes normally when the data comes. In a child process: the defect
 * was a hang.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChild } from './helpers/child.js';

const INDEX = new URL('../index.ts', import.meta.url).href;

test('__error_code = 0 on a request in flight: the next aio_read is -1/EINVAL, and the read still completes', async () => {
  const child = await runChild(
    `
import { openSync, writeSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { Aiocb, aio_read, aio_error, aio_return, aio_suspend, errno, errnoName, EINPROGRESS } from ${JSON.stringify(INDEX)};
const path = join(mkdtempSync(join(tmpdir(), 'syslet-setter-')), 'fifo');
execFileSync('mkfifo', [path]);
const fd = openSync(path, 'r+');
const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(64) });
const outcome = { first: aio_read(cb), statusBefore: errnoName(aio_error(cb)) };
cb.__error_code = 0;
cb.__return_value = 7;
outcome.fieldsReport = [aio_error(cb), aio_return(cb)];
outcome.second = aio_read(cb);
outcome.secondErrno = errnoName(errno());
try { cb.aio_buf = Buffer.alloc(64); outcome.newBuffer = 'accepted'; } catch (error) { outcome.newBuffer = error.name; }
writeSync(fd, 'data');
while (aio_error(cb) === EINPROGRESS || cb._request.busy) aio_suspend([cb], { tv_sec: 5, tv_nsec: 0 });
outcome.final = [aio_error(cb), aio_return(cb)];
console.log(JSON.stringify(outcome));
process.exit(0);
`,
    60_000,
  );
  assert.equal(child.timedOut, false, `the child hung:\n${child.stdout}\n${child.stderr}`);
  assert.equal(child.code, 0, child.stderr);
  const outcome = JSON.parse(child.stdout.trim().split('\n').pop() ?? '{}') as Record<string, unknown>;
  assert.deepEqual(outcome, {
    first: 0,
    statusBefore: 'EINPROGRESS',
    // What the fields hold, as glibc's aio_error/aio_return would say.
    fieldsReport: [0, 7],
    second: -1,
    secondErrno: 'EINVAL',
    newBuffer: 'TypeError',
    final: [0, 4],
  });
});
