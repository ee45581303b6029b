// An AbortSignal rejects the Promise twins with an AbortError, as node:fs/promises rejects
// (name 'AbortError', code 'ABORT_ERR', the signal's reason as cause, the same message); a C-style
// aio_cancel() of a queued twin's request still gives AioCanceledError (ECANCELED, errno -125).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { aio, aio_cancel, Aiocb, aio_read, AbortError, AioCanceledError, isAbortError, AIO_NOTCANCELED } from '../index.js';
import { closeAll, rawWrite, rejection, socketpair, SOCK_DGRAM } from './aio-fixture.js';

const shape = (error: unknown): object => {
  const e = error as Error & { code?: unknown };
  return { name: e.name, code: e.code, message: e.message, cause: e.cause };
};

test('an already aborted signal: every twin rejects as fs.promises.readFile does', async () => {
  const reason = new Error('no longer needed');
  const node = await rejection(readFile(fileURLToPath(import.meta.url), { signal: AbortSignal.abort(reason) }));
  for (const promise of [
    aio.read(0, Buffer.alloc(1), 0, { signal: AbortSignal.abort(reason) }),
    aio.write(1, Buffer.alloc(1), 0, { signal: AbortSignal.abort(reason) }),
    aio.fsync(1, undefined, { signal: AbortSignal.abort(reason) }),
    aio.suspend([new Aiocb()], { signal: AbortSignal.abort(reason) }),
    aio.listio([], { signal: AbortSignal.abort(reason) }),
  ]) {
    const error = await rejection(promise);
    assert.ok(error instanceof AbortError && isAbortError(error));
    assert.deepEqual(shape(error), shape(node));
  }
});

test('aborting a queued read or a waiting suspend rejects with AbortError; the reason is the cause', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const first = aio.read(a, Buffer.alloc(8), 0); // blocks on a cachemiss thread: nothing to read
    const controller = new AbortController();
    const queued = aio.read(a, Buffer.alloc(8), 0, { signal: controller.signal }); // waits behind it
    const cb = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    aio_read(cb); // queued behind both: suspend has something to wait for
    const waiting = aio.suspend([cb], { signal: controller.signal });
    controller.abort('changed my mind');
    rawWrite(b, Buffer.from('abc')); // for the first read
    rawWrite(b, Buffer.from('de')); // for cb
    for (const error of [await rejection(queued), await rejection(waiting)]) {
      assert.ok(error instanceof AbortError, String(error));
      assert.equal(error.code, 'ABORT_ERR');
      assert.equal(error.cause, 'changed my mind');
    }
    assert.equal(await first, 3);
    await aio.suspend([cb]);
  } finally {
    closeAll(a, b);
  }
});

test('aio_cancel() of a queued twin request rejects it with AioCanceledError, errno -125', async () => {
  const [a, b] = socketpair(SOCK_DGRAM);
  try {
    const first = aio.read(a, Buffer.alloc(8), 0);
    const queued = aio.read(a, Buffer.alloc(8), 0);
    assert.equal(aio_cancel(a, null), AIO_NOTCANCELED, 'the first is running; the second, queued, was cancelled');
    const error = await rejection(queued);
    assert.ok(error instanceof AioCanceledError, String(error));
    assert.deepEqual([error.code, error.errno, error.errnum, error.syscall], ['ECANCELED', -125, 125, 'aio_read']);
    assert.equal(error.message, 'ECANCELED: operation canceled, aio_read');
    rawWrite(b, Buffer.from('abc'));
    assert.equal(await first, 3);
  } finally {
    closeAll(a, b);
  }
});
