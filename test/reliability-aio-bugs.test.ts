// Issue #8: bugs the POSIX-layer reliability work found, kept as failing regression tests until
// the library is fixed (see docs/reliability.md, "Bugs found").
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Aiocb, aio, aio_cancel, aio_error, aio_read, aio_suspend, aioEngine, errno, submitRaw, EBADF, EINPROGRESS } from '../index.js';
import { closeAll, rawWrite, socketpair, SOCK_DGRAM, writeFromWorker } from './aio-fixture.js';

function within<T>(promise: Promise<T>, ms: number): Promise<T | 'timeout'> {
  return Promise.race([promise, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), ms).unref())]);
}

test('regression: after aio_suspend was woken by a cachemiss completion, later completions never reach the event loop', async () => {
  // Engine.waitUntil arms the wake flag, the completing thread takes it (Atomics.exchange → 0)
  // and pokes the eventfd, waitUntil reads the eventfd and returns: the flag is left down, so the
  // next chain that finishes on a cachemiss thread pokes nobody, and the libuv watcher never runs.
  const [a, aPeer] = socketpair(SOCK_DGRAM);
  const [b, bPeer] = socketpair(SOCK_DGRAM);
  try {
    const first = new Aiocb({ aio_fildes: a, aio_buf: Buffer.alloc(8) });
    assert.equal(aio_read(first), 0);
    const second = aio.read(b, Buffer.alloc(8), 0); // blocked on a cachemiss thread
    await writeFromWorker(aPeer, 'x'); // lands while the JS thread sleeps in aio_suspend
    while (aio_error(first) === EINPROGRESS) aio_suspend([first], { tv_sec: 5, tv_nsec: 0 });
    rawWrite(bPeer, Buffer.from('y')); // the second read completes on its thread now
    const outcome = await within(second, 2000);
    // Recover (else the ref'd watcher keeps this process alive for ever), then judge.
    aioEngine().pump();
    assert.equal(await second, 1);
    assert.equal(outcome, 1, 'aio.read did not settle within 2 s: its completion was not delivered to the event loop until a manual pump');
  } finally {
    closeAll(a, aPeer, b, bPeer);
  }
});

test('regression: aio_cancel(2^32) / aio_cancel(2^53) is AIO_ALLDONE for fd 0 instead of -1/EBADF', () => {
  // aio_cancel checks Number.isInteger(fildes) only; fcntl truncates the fd to 32 bits (0: stdin).
  for (const fildes of [2 ** 32, 2 ** 53]) {
    assert.equal(aio_cancel(fildes, null), -1, `aio_cancel(${fildes}, null)`);
    assert.equal(errno(), EBADF);
  }
});

test('regression: submitRaw with NaN status addresses is accepted (MemoryRegistry.find(NaN) returns a region) instead of -EFAULT', () => {
  // find(NaN, 4): both binary-search comparisons are false for NaN, so the middle region matches;
  // the request's status offsets are NaN and DataView writes them at offset 0 of that region.
  const engine = aioEngine();
  engine.alloc(64); // at least one region
  assert.equal(engine.memory.find(Number.NaN, 4), null, 'find(NaN) must not match a region');
  const answer = submitRaw({ op: 'read', fd: -1, buf: 0, nbytes: 0, errorCodeAddress: Number.NaN, returnValueAddress: Number.NaN, width: 8 });
  assert.equal(answer, -14, 'submitRaw must refuse NaN addresses with -EFAULT');
});

// Last: it leaves the POSIX engine without free regions.
test('regression: short-lived Aiocbs with fresh Buffers exhaust the engine regions (RangeError "too many memory regions")', () => {
  // Each new backing store given as aio_buf is registered until its aiocb is garbage-collected
  // (FinalizationRegistry), so a loop that drops its aiocbs hits MAX_REGIONS (4096) long before
  // any GC runs — although at most one aiocb is alive at a time.
  let created = 0;
  let failure: unknown = null;
  for (let i = 0; i < 6000 && failure === null; i++) {
    try {
      const cb = new Aiocb({ aio_fildes: -1, aio_buf: Buffer.alloc(64) });
      cb.aio_buf = null;
      const again = new Aiocb({ aio_fildes: -1, aio_buf: Buffer.alloc(64) });
      void again;
      created++;
    } catch (error) {
      failure = error;
    }
  }
  assert.equal(failure, null, `new Aiocb #${created} threw: ${String(failure)}`);
});
