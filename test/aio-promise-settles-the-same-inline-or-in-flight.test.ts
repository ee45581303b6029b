/**
 * aio.read settles the same whether its request completes inside the call (a cached read: the
 * Promise comes back already settled, with no waiter and no abort listener) or later (a socket
 * with no data yet: the waiter and the signal's listener are attached after the submission):
 * the byte count, an AioError for a failed read, an AbortSignal that outlives an inline read
 * without effect, and a listener removed once an in-flight read ends.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { aio, isAioError, EBADF } from '../index.js';
import { EISDIR } from '../engine/native/index.js';
import { openSync } from 'node:fs';
import { closeAll, fileWith, pattern, rawWrite, socketpair, SOCK_STREAM, tempDir } from './aio-fixture.js';

const dir = tempDir();
test.after(() => dir.cleanup());

test('a read that completes inline resolves with its count; a failed one rejects with its errno', async () => {
  const content = pattern(16384);
  const { fd } = fileWith(dir, 'cached', content);
  try {
    const controller = new AbortController();
    for (let i = 0; i < 8; i++) {
      const buf = Buffer.alloc(4096);
      const pending = aio.read(fd, buf, i * 1024, { signal: controller.signal });
      // Settled before the caller awaits: no listener is left on the signal.
      assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
      assert.equal(await pending, 4096);
      assert.deepEqual(buf, content.subarray(i * 1024, i * 1024 + 4096));
    }
    // Aborting after the reads ended changes nothing (no rejection is left behind).
    controller.abort();
    assert.equal(await aio.read(fd, Buffer.alloc(10), 16380), 4);
    await assert.rejects(aio.read(-1, Buffer.alloc(4), 0), (error: unknown) => isAioError(error) && error.errno === -EBADF && error.syscall === 'aio_read');
    const directory = openSync(dir.dir, 'r');
    try {
      await assert.rejects(aio.read(directory, Buffer.alloc(4), 0), (error: unknown) => isAioError(error) && error.errno === -EISDIR);
    } finally {
      closeAll(directory);
    }
  } finally {
    closeAll(fd);
  }
});

test('a read still in flight after the call resolves when its data comes, and drops its abort listener', async () => {
  const [readEnd, writeEnd] = socketpair(SOCK_STREAM);
  try {
    const controller = new AbortController();
    const buf = Buffer.alloc(5);
    const pending = aio.read(readEnd, buf, null, { signal: controller.signal });
    assert.equal(getEventListeners(controller.signal, 'abort').length, 1, 'a waiting read listens for the abort');
    rawWrite(writeEnd, Buffer.from('hello'));
    assert.equal(await pending, 5);
    assert.equal(buf.toString(), 'hello');
    assert.equal(getEventListeners(controller.signal, 'abort').length, 0);
  } finally {
    closeAll(readEnd, writeEnd);
  }
});
