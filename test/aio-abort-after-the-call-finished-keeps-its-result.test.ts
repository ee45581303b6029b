// The kernel's answer decides an abort that comes late: a twin whose read has already taken its
// bytes from a FIFO when the signal aborts — its cachemiss thread has returned from read(2), the
// JS thread has not yet seen the completion — resolves with the byte count and the bytes are in
// the buffer (taken from a pipe, they would otherwise be lost). An abort after the promise has
// settled changes nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openSync, writeFileSync } from 'node:fs';
import { aio } from '../index.js';
import { closeAll, fifo, rawWrite, tempDir } from './aio-fixture.js';
import { within } from './helpers/within.js';
import { addressOf, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const POLLIN = 1;

/** Whether bytes wait in the pipe: ppoll for POLLIN, without waiting. */
function bytesWaiting(fd: number): boolean {
  const pollfd = Buffer.alloc(8);
  pollfd.writeInt32LE(fd, 0);
  pollfd.writeInt16LE(POLLIN, 4);
  const noWait = Buffer.alloc(16);
  const result = syscall(NR.ppoll, addressOf(pollfd), 1, addressOf(noWait), 0, 0);
  if (result < 0) throw new Error(`ppoll: ${result}`);
  return (pollfd.readInt16LE(6) & POLLIN) !== 0;
}

test('an abort that comes after the read took its bytes: the promise resolves with them', { timeout: 30_000 }, async (t) => {
  const dir = tempDir();
  const { fd } = fifo(dir, 'fifo');
  t.after(() => {
    closeAll(fd);
    dir.cleanup();
  });
  const buffer = Buffer.alloc(16);
  const controller = new AbortController();
  const reading = aio.read(fd, buffer, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(rawWrite(fd, Buffer.from('taken')), 5);
  // Without a turn of the event loop (the completion is delivered there), wait until the
  // thread's read(2) has taken the bytes: the pipe is empty again.
  const gate = new Int32Array(new SharedArrayBuffer(4));
  for (let waited = 0; bytesWaiting(fd); waited++) {
    if (waited > 20_000) assert.fail('the read never took the bytes');
    Atomics.wait(gate, 0, 0, 1);
  }
  controller.abort('too late');
  assert.equal(await within(reading, 20_000, () => 'the late-aborted read'), 5);
  assert.equal(buffer.subarray(0, 5).toString(), 'taken');
});

test('an abort after the promise settled changes nothing', async () => {
  const dir = tempDir();
  const path = dir.path('file');
  writeFileSync(path, 'settled');
  const fd = openSync(path, 'r');
  try {
    const controller = new AbortController();
    const buffer = Buffer.alloc(16);
    const reading = aio.read(fd, buffer, 0, { signal: controller.signal });
    assert.equal(await reading, 7);
    controller.abort('afterwards');
    assert.equal(await reading, 7);
    assert.equal(buffer.subarray(0, 7).toString(), 'settled');
  } finally {
    closeAll(fd);
    dir.cleanup();
  }
});
