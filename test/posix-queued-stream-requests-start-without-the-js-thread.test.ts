/**
 * Requests queued behind a blocking one on a stream start by themselves: the JS thread does not
 * have to come back into the library for the next one of the fd to start. Six aio_writes of half
 * a send buffer to an AF_UNIX SOCK_DGRAM socket that holds two: two complete, the third blocks in
 * the kernel, the rest wait in the fd's line. The program then reads the six datagrams from the
 * other end with blocking read(2), calling no AIO function meanwhile, as a C program may (LTP
 * lio_listio/2-1 does this after lio_listio(LIO_NOWAIT)). glibc's helper thread takes its fd's next
 * request itself; the shim used to start one only when the JS thread processed the previous one's
 * completion — while that thread was blocked in read(2) for exactly the datagram the queued write
 * would send. Then every write succeeded, in order (each datagram carries its index), and an
 * aio_cancel(fd, NULL) with writes queued behind a blocked one cancels them (the ones already
 * handed on are taken back) while the blocked one is AIO_NOTCANCELED.
 */
import assert from 'node:assert/strict';
import { closeSync, readSync } from 'node:fs';
import { differentialCases } from './helpers/posix-differential.js';
import { EINPROGRESS } from './helpers/posix-c.js';
import { SOCK_DGRAM, sendBufferSize, socketpair } from './helpers/posix-os.js';
import type { AioImpl, ControlBlock } from './helpers/posix-impl.js';

const COUNT = 6;

/** COUNT aio_writes of half the socket's send buffer, each datagram starting with its index. */
function queueWrites(impl: AioImpl, fd: number): { cbs: ControlBlock[]; size: number } {
  const size = Math.floor(sendBufferSize(fd) / 2);
  const cbs = Array.from({ length: COUNT }, (_, i) => {
    const buf = impl.buffer(size).fill(i);
    return impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: size, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
  });
  for (const [i, cb] of cbs.entries()) assert.equal(impl.aio_write(cb), 0, `aio_write ${i}: errno ${impl.errno()}`);
  return { cbs, size };
}

function finish(impl: AioImpl, cb: ControlBlock): void {
  while (impl.aio_error(cb) === EINPROGRESS) impl.aio_suspend([cb], 1, null);
}

differentialCases(
  import.meta.url,
  [
    {
      title: 'writes queued behind a blocked one reach the peer while the program blocks in read(2), in order (3 rounds)',
      body: (impl) => {
        for (let round = 0; round < 3; round++) {
          const [writer, reader] = socketpair(SOCK_DGRAM);
          const { cbs, size } = queueWrites(impl, writer);
          const sink = Buffer.alloc(size);
          // No AIO call from here until every datagram has been read: a hang is the failure.
          const order: number[] = [];
          for (let i = 0; i < COUNT; i++) {
            assert.equal(readSync(reader, sink, 0, size, null), size, `round ${round}: datagram ${i}`);
            order.push(sink[0] as number);
          }
          assert.deepEqual(order, [0, 1, 2, 3, 4, 5], `round ${round}: datagrams in submission order`);
          for (const [i, cb] of cbs.entries()) {
            finish(impl, cb);
            assert.deepEqual([impl.aio_error(cb), impl.aio_return(cb)], [0, size], `round ${round}: write ${i}`);
          }
          closeSync(writer);
          closeSync(reader);
        }
      },
    },
    {
      title: 'aio_cancel(fd, NULL) cancels the writes queued behind a blocked one; the blocked one is not cancelled',
      body: (impl) => {
        const { AIO_NOTCANCELED } = impl.constants;
        const ECANCELED = 125;
        const [writer, reader] = socketpair(SOCK_DGRAM);
        const { cbs, size } = queueWrites(impl, writer);
        // The first two complete at once (the socket holds two); let them be seen.
        for (const cb of cbs.slice(0, 2)) finish(impl, cb);
        // The third write must be in the kernel before the cancel: glibc's helper thread takes it
        // only once it is scheduled again after the second, and on a loaded machine the cancel
        // could come first and find it still queued (AIO_CANCELED, a different case). Nothing
        // observable from here says it has started, so give the thread time to get there.
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200);
        assert.equal(impl.aio_cancel(writer, null), AIO_NOTCANCELED, 'aio_cancel with a write blocked in the kernel');
        const sink = Buffer.alloc(size);
        readSync(reader, sink, 0, size, null);
        readSync(reader, sink, 0, size, null);
        readSync(reader, sink, 0, size, null);
        for (const cb of cbs) finish(impl, cb);
        const statuses = cbs.map((cb) => impl.aio_error(cb));
        assert.deepEqual(statuses.slice(0, 3), [0, 0, 0], 'the two that completed and the blocked one');
        assert.deepEqual(statuses.slice(3), [ECANCELED, ECANCELED, ECANCELED], 'the queued ones');
        for (const cb of cbs.slice(3)) assert.equal(impl.aio_return(cb), -1);
        closeSync(writer);
        closeSync(reader);
      },
    },
  ],
  { timeoutMs: 60_000 },
);
