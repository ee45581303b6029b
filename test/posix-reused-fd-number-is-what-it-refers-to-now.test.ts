/**
 * An fd number the program reuses is whatever it refers to now. A regular file on fd N gets an
 * aio_write (on ext4 a write the kernel cannot probe, which goes to a cachemiss thread); then N
 * is made to refer to a datagram socket, a pipe, or back from a pipe to a file (dup2: the old
 * file is closed and the number reused, as the program's own close + socket would). Every
 * aio_write on it then succeeds with the bytes given, as glibc's do: pwrite on a pipe or socket
 * fails with ESPIPE, and the request is made with write instead — also when that ESPIPE comes
 * from a cachemiss thread, because the number changed while the request waited for one
 * (issue 14 item 2).
 */
import assert from 'node:assert/strict';
import { openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { differentialCases } from './helpers/posix-differential.js';
import type { AioImpl, ControlBlock } from './helpers/posix-impl.js';
import { EINPROGRESS } from './helpers/posix-c.js';
import { dup2, pipe, receiveNow, socketpair, SOCK_DGRAM } from './helpers/posix-os.js';

function writeCb(impl: AioImpl, fd: number, data: Buffer, offset = 0): ControlBlock {
  const buf = impl.buffer(data.length);
  data.copy(buf);
  return impl.aiocb({ aio_fildes: fd, aio_buf: buf, aio_nbytes: data.length, aio_offset: offset, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
}

/** aio_write, wait for it, and give (aio_error, aio_return). */
function write(impl: AioImpl, cb: ControlBlock): [number, number] {
  assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
  return finish(impl, cb);
}

function finish(impl: AioImpl, cb: ControlBlock): [number, number] {
  while (impl.aio_error(cb) === EINPROGRESS) impl.aio_suspend([cb], 1, null);
  return [impl.aio_error(cb), impl.aio_return(cb)];
}

/** A regular file on a new fd, written through AIO once (4 KiB), as the number's first life. */
function fileWithAWrite(impl: AioImpl, dir: string, name: string): number {
  const fd = openSync(join(dir, name), 'w+');
  assert.deepEqual(write(impl, writeCb(impl, fd, Buffer.alloc(4096, 0x61))), [0, 4096], 'the write to the file');
  return fd;
}

const SIXTEEN = Buffer.from('0123456789abcdef');

differentialCases(import.meta.url, [
  {
    // First in its process: aio_init takes effect only before the first request.
    title: 'file writes waiting for the one helper thread while the number becomes a socket: each 0 and 16 bytes, all to the socket',
    body: (impl, env) => {
      impl.aio_init({ aio_threads: 1, aio_num: 32, aio_idle_time: 1 });
      const [readEnd, writeEnd] = pipe();
      const blocked = impl.aiocb({ aio_fildes: readEnd, aio_buf: impl.buffer(1), aio_nbytes: 1, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } });
      assert.equal(impl.aio_read(blocked), 0);
      // Make sure the one thread has taken the read before the writes queue behind it.
      assert.equal(impl.aio_suspend([blocked], 1, { tv_sec: 0, tv_nsec: 200_000_000 }), -1);
      const n = openSync(join(env.dir, 'file'), 'w+');
      const cbs = Array.from({ length: 8 }, (_, i) => writeCb(impl, n, SIXTEEN, i * 16));
      for (const cb of cbs) assert.equal(impl.aio_write(cb), 0, `aio_write: errno ${impl.errno()}`);
      const [socket, peer] = socketpair(SOCK_DGRAM);
      dup2(socket, n);
      // Now the thread is free: each queued write meets the socket, where pwrite is ESPIPE.
      writeSync(writeEnd, 'x');
      assert.deepEqual(finish(impl, blocked), [0, 1], 'the blocked read');
      for (const [i, cb] of cbs.entries()) assert.deepEqual(finish(impl, cb), [0, 16], `write ${i}`);
      const got = Buffer.alloc(64);
      let datagrams = 0;
      while (receiveNow(peer, got) === 16) datagrams++;
      assert.equal(datagrams, cbs.length, 'datagrams on the socket');
    },
  },
  {
    title: 'file, then the number is a SOCK_DGRAM socket: aio_write gives 0 and 16 bytes, three times',
    body: (impl, env) => {
      const n = fileWithAWrite(impl, env.dir, 'file');
      const [socket, peer] = socketpair(SOCK_DGRAM);
      dup2(socket, n);
      const got = Buffer.alloc(64);
      for (let i = 0; i < 3; i++) {
        assert.deepEqual(write(impl, writeCb(impl, n, SIXTEEN, 4096)), [0, 16], `write ${i} to the socket`);
        assert.equal(receiveNow(peer, got), 16, `datagram ${i}`);
        assert.equal(got.subarray(0, 16).toString(), SIXTEEN.toString());
      }
    },
  },
  {
    title: 'file, then the number is a pipe: aio_write gives 0 and 16 bytes',
    body: (impl, env) => {
      const n = fileWithAWrite(impl, env.dir, 'file');
      const [readEnd, writeEnd] = pipe();
      dup2(writeEnd, n);
      assert.deepEqual(write(impl, writeCb(impl, n, SIXTEEN, 4096)), [0, 16]);
      const got = Buffer.alloc(16);
      assert.equal(readSync(readEnd, got), 16);
      assert.equal(got.toString(), SIXTEEN.toString());
    },
  },
  {
    title: 'pipe, then the number is a file again: aio_write at offset 4 writes there, 16 bytes',
    body: (impl, env) => {
      const [readEnd, n] = pipe();
      assert.deepEqual(write(impl, writeCb(impl, n, SIXTEEN)), [0, 16], 'the write to the pipe');
      assert.equal(readSync(readEnd, Buffer.alloc(16)), 16);
      const file = openSync(join(env.dir, 'file'), 'w+');
      dup2(file, n);
      assert.deepEqual(write(impl, writeCb(impl, n, SIXTEEN, 4)), [0, 16], 'the write to the file');
      const got = Buffer.alloc(32);
      assert.equal(readSync(file, got, 0, 32, 0), 20);
      assert.equal(got.subarray(4, 20).toString(), SIXTEEN.toString());
    },
  },
]);
