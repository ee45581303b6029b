// An AbortSignal stops a Promise twin that is already running, not only one still queued: a read
// of a FIFO nobody writes to, and a write into a full FIFO, block in the kernel on a cachemiss
// thread (stream requests stay off the io_uring ring on both engines); aborting interrupts the
// call and the promise rejects with Node's AbortError (code 'ABORT_ERR', the reason as cause)
// once the call has returned. Nothing was read or written: the buffer is untouched, and the bytes
// written afterwards all reach the next read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, openSync, readSync } from 'node:fs';
import { aio, AbortError } from '../index.js';
import { aioEngine } from '../shim/context.js';
import { closeAll, fifo, rawWrite, rejection, tempDir } from './aio-fixture.js';
import { within } from './helpers/within.js';

test('aborting a read blocked on an empty FIFO rejects with AbortError; nothing is lost', { timeout: 30_000 }, async (t) => {
  const dir = tempDir();
  const { fd } = fifo(dir, 'empty');
  t.after(() => {
    // Should the read still be blocked (the test failed), a byte ends it: the process can exit.
    rawWrite(fd, Buffer.from('!'));
    closeAll(fd);
    dir.cleanup();
  });
  const buffer = Buffer.alloc(16);
  const controller = new AbortController();
  const reading = aio.read(fd, buffer, { signal: controller.signal });
  // Let the request reach its cachemiss thread and block there.
  await new Promise((resolve) => setTimeout(resolve, 50));
  assert.equal(aioEngine().inflight > 0, true, 'the read is in flight');
  const reason = new Error('no longer needed');
  controller.abort(reason);
  const error = await within(rejection(reading), 20_000, () => 'the aborted FIFO read');
  assert.ok(error instanceof AbortError, String(error));
  assert.equal(error.code, 'ABORT_ERR');
  assert.equal(error.cause, reason);
  assert.ok(buffer.equals(Buffer.alloc(16)), 'the aborted read wrote nothing');
  assert.equal(rawWrite(fd, Buffer.from('after the abort')), 15);
  assert.equal(await within(aio.read(fd, buffer, null), 20_000, () => 'the next read'), 15);
  assert.equal(buffer.subarray(0, 15).toString(), 'after the abort');
});

test('aborting a write blocked on a full FIFO rejects with AbortError; it wrote nothing', { timeout: 30_000 }, async (t) => {
  const dir = tempDir();
  const { path, fd: reader } = fifo(dir, 'full');
  const writer = openSync(path, constants.O_WRONLY);
  // Fill the pipe through a non-blocking description of its own (O_NONBLOCK is per description).
  const filler = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  t.after(() => {
    closeAll(reader, writer, filler);
    dir.cleanup();
  });
  const chunk = Buffer.alloc(4096, 1);
  let filled = 0;
  for (let written = rawWrite(filler, chunk); written > 0; written = rawWrite(filler, chunk)) filled += written;
  const controller = new AbortController();
  const writing = aio.write(writer, Buffer.alloc(4096, 2), null, { signal: controller.signal });
  await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort('stop writing');
  const error = await within(rejection(writing), 20_000, () => 'the aborted FIFO write');
  assert.ok(error instanceof AbortError, String(error));
  assert.equal(error.cause, 'stop writing');
  // Everything in the pipe is the filler's: the aborted write put nothing in it.
  const drain = Buffer.alloc(filled + 4096);
  let drained = 0;
  const drainer = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    for (;;) drained += readSync(drainer, drain, drained, drain.length - drained, null);
  } catch (error) {
    assert.equal((error as NodeJS.ErrnoException).code, 'EAGAIN', 'the pipe is drained');
  } finally {
    closeAll(drainer);
  }
  assert.equal(drained, filled);
  assert.ok(drain.subarray(0, drained).every((byte) => byte === 1), 'only the filler\'s bytes');
});
