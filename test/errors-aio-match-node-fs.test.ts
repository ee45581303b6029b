// The Promise twins' AioError speaks as node:fs does: for the same closed fd, fs.readSync's error
// and aio.read's have the same negative errno, code and message, the syscall being the POSIX call
// the twin stands for (aio_read, aio_write, aio_fsync) instead of read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, readSync } from 'node:fs';
import { aio, aioEngine, AioError } from '../index.js';

function nodeReadFailure(fd: number): NodeJS.ErrnoException {
  try {
    readSync(fd, Buffer.alloc(4), 0, 4, 0);
  } catch (error) {
    return error as NodeJS.ErrnoException;
  }
  throw new Error('readSync on a closed fd was expected to fail');
}

async function aioFailure(promise: Promise<unknown>): Promise<AioError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof AioError, `an AioError, got ${String(error)}`);
    return error;
  }
  throw new Error('the request was expected to fail');
}

test('aio.read, aio.write and aio.fsync on a closed fd reject with node:fs\'s errno, code and message', async () => {
  // The POSIX layer's engine opens its own fds when it starts (an eventfd, the io_uring ring):
  // start it first, so that the closed number stays closed instead of becoming one of those.
  aioEngine();
  const fd = openSync('/dev/null', 'r');
  closeSync(fd);
  const node = nodeReadFailure(fd);
  assert.equal(node.code, 'EBADF');
  for (const [syscall, promise] of [
    ['aio_read', aio.read(fd, Buffer.alloc(4), 0)],
    ['aio_write', aio.write(fd, Buffer.alloc(4), 0)],
    ['aio_fsync', aio.fsync(fd)],
  ] as const) {
    const error = await aioFailure(promise);
    assert.deepEqual(
      { errno: error.errno, code: error.code, syscall: error.syscall, message: error.message, path: error.path },
      { errno: node.errno, code: node.code, syscall, message: node.message.replace(/, read$/, `, ${syscall}`), path: undefined },
    );
    assert.equal(error.errnum, -(node.errno ?? 0), 'errnum keeps the positive C number');
  }
});
