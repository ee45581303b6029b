/**
 * aio_suspend is async-signal-safe in POSIX, so a C port may call it from a SIGEV_SIGNAL
 * handler. Here the handler of the first of four completion signals (all pending, read in one
 * batch) submits two more SIGEV_SIGNAL reads and waits in aio_suspend, which those two signals
 * interrupt: their handlers run inside the wait. Every signal must reach the handler exactly
 * once, as a C program's SA_SIGINFO handler sees each queued real-time signal once.
 *
 * Session 20 (posix20): the nested read of the signalfd reused the batch buffer the outer read
 * was still walking, so the handler saw [1, 5, 6, 6, 3, 4]: signal 2 lost, 6 twice (both engines).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Aiocb, aio_read, aio_suspend, errno, receiveSignals, SIGEV_SIGNAL, SIGRTMIN } from '../index.js';
import { EINTR } from './helpers/posix-c.js';
import { pipe } from './helpers/posix-os.js';

test('a handler that waits in aio_suspend loses no signal and sees none twice', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-nested-'));
  const fd = openSync(join(dir, 'file'), 'w+');
  writeSync(fd, 'abcdefgh', 0);
  const [readEnd, writeEnd] = pipe();
  const signo = SIGRTMIN + 2;
  const keep: Aiocb[] = [];
  const read = (value: number): void => {
    const cb = new Aiocb({ aio_fildes: fd, aio_buf: Buffer.alloc(4), aio_nbytes: 4, aio_sigevent: { sigev_notify: SIGEV_SIGNAL, sigev_signo: signo, sigev_value: value } });
    keep.push(cb);
    assert.equal(aio_read(cb), 0, `aio_read: errno ${errno()}`);
  };
  const blocked = new Aiocb({ aio_fildes: readEnd, aio_buf: Buffer.alloc(1), aio_nbytes: 1 });
  assert.equal(aio_read(blocked), 0);
  const seen: number[] = [];
  let nested: [number, number] | null = null;
  using rx = receiveSignals(signo, (info) => {
    seen.push(info.int);
    if (info.int === 1) {
      read(5);
      read(6);
      nested = [aio_suspend([blocked], 1, { tv_sec: 2, tv_nsec: 0 }), errno()];
    }
  });
  try {
    for (const value of [1, 2, 3, 4]) read(value);
    const deadline = performance.now() + 5000;
    while (seen.length < 6 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await new Promise((resolve) => setTimeout(resolve, 50));
    // Here the handlers of 5 and 6 run inside the nested wait, which returns EINTR. (A C handler
    // installed without SA_NODEFER keeps its own signal blocked while it runs, so its wait would
    // end at the timeout instead; either way each signal reaches the handler once.)
    assert.deepEqual(nested, [-1, EINTR], 'the nested wait is interrupted by the handlers of signals 5 and 6');
    assert.deepEqual([...seen].sort(), [1, 2, 3, 4, 5, 6], `each signal once, got ${JSON.stringify(seen)}`);
  } finally {
    rx.dispose();
    // End the blocked read, so that its cachemiss thread lets the process exit.
    writeSync(writeEnd, 'x');
    closeSync(writeEnd);
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});
