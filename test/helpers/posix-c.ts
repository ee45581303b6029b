/**
 * What the ported C tests share: a temporary file opened and unlinked (LTP's
 * PTS_GET_TMP_FILENAME + open(O_CREAT|O_EXCL) + unlink), the "nanosleep until aio_error is not
 * EINPROGRESS" loop, glibc's do_wait, LTP's aio_test.h socketpair setup, and errno values (from
 * Node's table of the kernel's numbers, so neither implementation supplies its own answer).
 */
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { constants } from 'node:os';
import { join } from 'node:path';
import type { AioImpl, ControlBlock } from './posix-impl.js';
import { receiveNow, sendBufferSize, sleepSync, socketpair, SOCK_DGRAM } from './posix-os.js';
import type { ScenarioEnv } from './posix-differential.js';

/** The errno values the tests compare with. */
export const { EINPROGRESS, EBADF, EINVAL, EAGAIN, EINTR, EIO, ECANCELED, ENOSYS } = constants.errno;

let serial = 0;

/** tempFile - a new file in the scenario's directory, opened with `flags` ('w+' is O_RDWR), then unlinked. */
export function tempFile(env: ScenarioEnv, flags: string | number = 'wx+'): number {
  const path = join(env.dir, `tmp-${process.pid}-${serial++}`);
  const fd = openSync(path, flags, 0o600);
  unlinkSync(path);
  return fd;
}

/** writeAll - write(2) the bytes at the file position, as the C tests' setup does. */
export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
}

/** preadAll - read `length` bytes at `position` (short at end of file). */
export function preadAll(fd: number, length: number, position: number): Buffer {
  const out = Buffer.alloc(length);
  const got = readSync(fd, out, 0, length, position);
  return out.subarray(0, got);
}

/**
 * waitWhileInProgress - LTP's completion loop: `do { nanosleep(10 ms); err = aio_error(cb); }
 * while (err == EINPROGRESS)`. Bounded, so that a request that never ends fails with a message
 * before the child's time limit.
 * @returns the final aio_error.
 */
export function waitWhileInProgress(impl: AioImpl, cb: ControlBlock, limitMs = 30_000): number {
  const deadline = performance.now() + limitMs;
  for (;;) {
    sleepSync(10);
    const err = impl.aio_error(cb);
    if (err !== EINPROGRESS) return err;
    if (performance.now() > deadline) throw new Error(`request still EINPROGRESS after ${limitMs} ms`);
  }
}

/**
 * doWait - glibc rt/tst-aio.c's do_wait: aio_suspend on the list, then retire every finished
 * entry; a failure is an error unless its aio_error is `allowedErr`.
 * @returns the list of failures ("entry i: errno e, return r"), empty when all is well.
 */
export function doWait(impl: AioImpl, list: (ControlBlock | null)[], allowedErr = 0): string[] {
  const failures: string[] = [];
  const pending = [...list];
  let goOn: boolean;
  do {
    impl.aio_suspend(pending, pending.length, null);
    goOn = false;
    for (let i = 0; i < pending.length; i++) {
      const cb = pending[i];
      if (cb == null) continue;
      if (impl.aio_error(cb) === EINPROGRESS) {
        goOn = true;
        continue;
      }
      const returned = impl.aio_return(cb);
      const err = impl.aio_error(cb);
      if (returned === -1 && (allowedErr === 0 || err !== allowedErr)) failures.push(`entry ${i}: errno ${err}, return ${returned}`);
      pending[i] = null;
    }
  } while (goOn);
  return failures;
}

/** until - wait on the event loop (so that handlers and notify functions run) until `done()` or `limitMs`. */
export async function until(done: () => boolean, limitMs: number): Promise<boolean> {
  const deadline = performance.now() + limitMs;
  while (!done()) {
    if (performance.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return true;
}

/**
 * setupSocketAio - LTP include/aio_test.h's setup_aio: an AF_UNIX SOCK_DGRAM pair, and `count`
 * aiocbs writing SO_SNDBUF/2 bytes of 0xaa each to the first end. Two such datagrams fill the
 * socket, so the third write blocks until the test reads from the other end.
 */
export function setupSocketAio(impl: AioImpl, count: number): { fds: [number, number]; cbs: ControlBlock[]; bufs: Buffer[]; bufsize: number } {
  const fds = socketpair(SOCK_DGRAM);
  const bufsize = Math.floor(sendBufferSize(fds[0]) / 2);
  const cbs: ControlBlock[] = [];
  const bufs: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const buf = impl.buffer(bufsize).fill(0xaa);
    bufs.push(buf);
    cbs.push(impl.aiocb({ aio_fildes: fds[0], aio_buf: buf, aio_nbytes: bufsize, aio_sigevent: { sigev_notify: impl.constants.SIGEV_NONE } }));
  }
  return { fds, cbs, bufs, bufsize };
}

/**
 * cleanupSocketAio - aio_test.h's cleanup_aio: for each request that succeeded or is still in
 * progress, read one datagram from the other end (unblocking a blocked writer), then close both
 * ends. Cleanup is not under test, so its reads do not block: each polls (recv MSG_DONTWAIT)
 * for a while, calling aio_error meanwhile, since a library whose queue moves on only when the
 * JS thread looks would otherwise never send the datagram a blocking read waits for.
 */
export function cleanupSocketAio(impl: AioImpl, setup: { fds: [number, number]; cbs: ControlBlock[]; bufsize: number }): void {
  const sink = Buffer.alloc(setup.bufsize);
  for (const cb of setup.cbs) {
    const err = impl.aio_error(cb);
    if (err !== 0 && err !== EINPROGRESS) continue;
    const deadline = performance.now() + 500;
    while (receiveNow(setup.fds[1], sink) === -EAGAIN && performance.now() < deadline) {
      sleepSync(5);
      impl.aio_error(cb);
    }
  }
  closeSync(setup.fds[0]);
  closeSync(setup.fds[1]);
}

/**
 * assertSucceeded - the request completed with status 0 and returned `size`. LTP's own check,
 * `if ((err != 0) && (ret != BUF_SIZE))`, fails only when both are wrong; the ports ask for both.
 */
export function assertSucceeded(impl: AioImpl, cb: ControlBlock, size: number, label: string): void {
  const err = impl.aio_error(cb);
  const ret = impl.aio_return(cb);
  if (err !== 0 || ret !== size) throw new Error(`${label}: aio_error ${err}, aio_return ${ret} (expected 0 and ${size})`);
}
