/**
 * Shared helpers for the POSIX AIO tests: temporary files, AF_UNIX socketpairs (a read on an
 * empty socket blocks until the test writes: deterministic blocking, no sleeps), and raw writes.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { addressOf, allocNative, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

const SYS_write = NR.write;
const SYS_close = NR.close;
const SYS_socketpair = NR.socketpair;
const SYS_tgkill = NR.tgkill;
const SYS_gettid = NR.gettid;
const AF_UNIX = 1;
/** Socket types for {@link socketpair}. */
export const SOCK_STREAM = 1;
export const SOCK_DGRAM = 2;

/** A scratch directory removed by `cleanup()`. */
export function tempDir(): { dir: string; path: (name: string) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-'));
  return { dir, path: (name) => join(dir, name), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A file with `content`, opened with `flags`; returns its fd and path. */
export function fileWith(dir: { path: (name: string) => string }, name: string, content: Uint8Array | string, flags = 'r+'): { fd: number; path: string } {
  const path = dir.path(name);
  writeFileSync(path, content);
  return { fd: openSync(path, flags), path };
}

/** Deterministic bytes: byte i is (i * 7 + seed) & 0xff. */
/**
 * fifo - a FIFO in `dir`, opened read-write: a read of it blocks (there is a writer, which never
 * writes unless the test does), and nothing it is given is lost when no reader is left.
 */
export function fifo(dir: { path: (name: string) => string }, name: string): { path: string; fd: number } {
  const path = dir.path(name);
  execFileSync('mkfifo', [path]);
  return { path, fd: openSync(path, constants.O_RDWR) };
}

/** rejection - what `promise` rejects with. @throws Error when it fulfils instead. */
export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

export function pattern(size: number, seed = 1): Buffer {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + seed) & 0xff;
  return bytes;
}

/** socketpair(AF_UNIX, type): [a, b]. */
export function socketpair(type: number): [number, number] {
  const block = allocNative(8, 8);
  const result = syscall(SYS_socketpair, AF_UNIX, type, 0, block.address);
  if (result < 0) throw new Error(`socketpair: ${result}`);
  const view = new DataView(block.buffer);
  return [view.getInt32(0, true), view.getInt32(4, true)];
}

/** write(2) the bytes to fd; returns the count or -errno. */
export function rawWrite(fd: number, bytes: Uint8Array): number {
  return syscall(SYS_write, fd, addressOf(bytes), bytes.byteLength);
}

/** close(2) without throwing. */
export function closeFd(fd: number): void {
  syscall(SYS_close, fd);
}

/** Close Node-opened fds. */
export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      closeFd(fd);
    }
  }
}

/** tgkill the JS thread with `signo` (a thread-directed signal, as a C handler test would raise). */
export function raiseInJsThread(signo: number): number {
  return syscall(SYS_tgkill, process.pid, syscall(SYS_gettid), signo);
}

/** Resolve on the next turns of the event loop (lets setImmediate notifications run). */
export function turns(count = 2): Promise<void> {
  return new Promise((resolve) => {
    let left = count;
    const step = (): void => {
      if (--left <= 0) resolve();
      else setImmediate(step);
    };
    setImmediate(step);
  });
}

/**
 * turnsUntil - turn the event loop (setImmediate, so every turn also polls for I/O) until
 * `done()` holds or `timeoutMs` has passed. For notifications that arrive on the event loop once
 * a completion is processed, which a cachemiss thread may publish a little after the request's
 * status word (the chain writes the status, then the thread hands the completion over).
 * @returns the turns it took, or -1 on timeout.
 */
export function turnsUntil(done: () => boolean, timeoutMs = 5_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  return new Promise((resolve) => {
    let count = 0;
    const step = (): void => {
      if (done()) resolve(count);
      else if (performance.now() > deadline) resolve(-1);
      else {
        count++;
        setImmediate(step);
      }
    };
    setImmediate(step);
  });
}

/**
 * writeFromWorker - write `text` to `fd` from another thread, so that the JS thread can already
 * be blocked in aio_suspend/lio_listio. Whether the write lands before or after the JS thread
 * blocks, the outcome the tests check is the same.
 */
export async function writeFromWorker(fd: number, text: string): Promise<void> {
  const { Worker } = await import('node:worker_threads');
  const worker = new Worker(`require('node:fs').writeSync(${fd}, ${JSON.stringify(text)})`, { eval: true });
  worker.unref();
}
