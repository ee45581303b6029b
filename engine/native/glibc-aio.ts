/**
 * glibc's own POSIX AIO, bound through koffi: the peer a Node user would otherwise bind, and the
 * one the benchmark holds this library against. It is a measuring stick, not part of the engine:
 * nothing outside bench/ should use it.
 *
 * Since glibc 2.34 the aio_* functions live in libc.so.6 (librt keeps compatibility symbols), so
 * the one libc handle of libc.ts serves. Every pointer crosses as an `intptr_t` number: koffi
 * then allocates nothing per call (a `void *` parameter would want a BigInt), which keeps the
 * peer as fast as it can honestly be.
 */
import koffi from 'koffi';
import { libc } from './libc.js';
import { allocNative, releaseNative, type NativeBlock } from './memory.js';
// The kernel's value, spelled once in the ABI module.
import { SIGEV_NONE } from '../syscalls/abi.js';

/** `sizeof(struct aiocb)` on x86-64 glibc. */
export const AIOCB_SIZE = 168;

/** Byte offsets of the `struct aiocb` fields the benchmark touches (x86-64 glibc). */
export const AIOCB_OFFSET = {
  fildes: 0,
  lioOpcode: 4,
  reqprio: 8,
  buf: 16,
  nbytes: 24,
  /** `aio_sigevent.sigev_notify`: aio_sigevent starts at 32, sigev_notify is its third member. */
  sigevNotify: 44,
  errorCode: 112,
  returnValue: 120,
  offset: 128,
} as const;

export { SIGEV_NONE };

/** glibc's AIO entry points. Addresses are plain numbers; results follow the C conventions. */
export interface GlibcAio {
  /** aio_read(3): 0 when queued, else -errno (converted from -1 + errno here). */
  readonly read: (aiocb: number) => number;
  /** aio_write(3): 0 when queued, else -errno. */
  readonly write: (aiocb: number) => number;
  /**
   * aio_suspend(3): block the calling thread until one listed request completes.
   * @param list - address of an array of `nent` aiocb pointers (NULL entries are ignored).
   * @param timeout - address of a `struct timespec`, or 0 to wait without limit.
   * @returns 0, or -errno (EAGAIN on timeout, EINTR on a signal).
   */
  readonly suspend: (list: number, nent: number, timeout: number) => number;
  /** aio_error(3): EINPROGRESS (115), 0, or the request's errno. */
  readonly error: (aiocb: number) => number;
  /** aio_return(3): the request's final result (bytes, or -1 with aio_error's errno). */
  readonly return: (aiocb: number) => number;
}

let bound: GlibcAio | undefined;

/**
 * glibcAio - glibc's aio_read/aio_write/aio_suspend/aio_error/aio_return, bound once.
 *
 * @returns the bound functions.
 * @throws Error when libc.so.6 lacks the symbols (glibc older than 2.34, or not glibc).
 * @example
 * ```ts
 * const aio = glibcAio();
 * const cbs = new AiocbArray(1);
 * cbs.prepare(0, fd, bufferAddress, 4096, 0);
 * aio.read(cbs.address(0)); // then aio.suspend / aio.error / aio.return
 * ```
 */
export function glibcAio(): GlibcAio {
  if (bound !== undefined) return bound;
  const read = libc.func('aio_read', 'int', ['intptr_t']) as (cb: number) => number;
  const write = libc.func('aio_write', 'int', ['intptr_t']) as (cb: number) => number;
  const suspend = libc.func('aio_suspend', 'int', ['intptr_t', 'int', 'intptr_t']) as (list: number, n: number, t: number) => number;
  const error = libc.func('aio_error', 'int', ['intptr_t']) as (cb: number) => number;
  const ret = libc.func('aio_return', 'long', ['intptr_t']) as (cb: number) => number;
  // Only the -1 results read errno, so the common path costs one native call and nothing more.
  bound = {
    read: (cb) => (read(cb) === 0 ? 0 : -koffi.errno()),
    write: (cb) => (write(cb) === 0 ? 0 : -koffi.errno()),
    suspend: (list, n, t) => (suspend(list, n, t) === 0 ? 0 : -koffi.errno()),
    error,
    return: ret,
  };
  return bound;
}

/**
 * AiocbArray - `count` zeroed aiocbs in native memory, plus a same-length array of pointers for
 * aio_suspend. Native memory because glibc's helper threads read and write an aiocb long after
 * the submitting call returned, which a V8-owned buffer does not promise to survive.
 *
 * @example
 * ```ts
 * const cbs = new AiocbArray(64);
 * cbs.prepare(3, fd, bufAddr, 4096, 8192); // slot 3 reads 4 KiB at 8192
 * cbs.list(3, true); // list it for aio_suspend
 * cbs.release();
 * ```
 */
export class AiocbArray {
  /** Number of aiocbs. */
  readonly count: number;
  /** Address of the `const struct aiocb *[count]` array handed to aio_suspend. */
  readonly listAddress: number;
  readonly #cbs: NativeBlock;
  readonly #list: NativeBlock;
  readonly #view: DataView;
  readonly #listView: DataView;

  /**
   * @param count - how many aiocbs (> 0).
   * @throws RangeError for a bad count, Error when native memory runs out.
   */
  constructor(count: number) {
    if (!Number.isSafeInteger(count) || count <= 0) throw new RangeError(`count must be a positive integer, got ${count}`);
    this.count = count;
    this.#cbs = allocNative(count * AIOCB_SIZE);
    this.#list = allocNative(count * 8);
    this.#view = new DataView(this.#cbs.buffer);
    this.#listView = new DataView(this.#list.buffer);
    this.listAddress = this.#list.address;
  }

  /** address - the address of aiocb `index`. */
  address(index: number): number {
    return this.#cbs.address + index * AIOCB_SIZE;
  }

  /**
   * prepare - fill every field of aiocb `index` for a transfer with no notification (SIGEV_NONE).
   *
   * @param fd - file descriptor.
   * @param buffer - address of the data (native memory).
   * @param nbytes - transfer length.
   * @param offset - file offset in bytes.
   */
  prepare(index: number, fd: number, buffer: number, nbytes: number, offset: number): void {
    const base = index * AIOCB_SIZE;
    const v = this.#view;
    v.setInt32(base + AIOCB_OFFSET.fildes, fd, true);
    v.setInt32(base + AIOCB_OFFSET.lioOpcode, 0, true);
    v.setInt32(base + AIOCB_OFFSET.reqprio, 0, true);
    setU64(v, base + AIOCB_OFFSET.buf, buffer);
    setU64(v, base + AIOCB_OFFSET.nbytes, nbytes);
    v.setInt32(base + AIOCB_OFFSET.sigevNotify, SIGEV_NONE, true);
    setU64(v, base + AIOCB_OFFSET.offset, offset);
  }

  /** setOffset - change only the file offset of aiocb `index` (reusing it for the next request). */
  setOffset(index: number, offset: number): void {
    setU64(this.#view, index * AIOCB_SIZE + AIOCB_OFFSET.offset, offset);
  }

  /** list - put aiocb `index` in the aio_suspend list (`on`) or replace it with NULL. */
  list(index: number, on: boolean): void {
    setU64(this.#listView, index * 8, on ? this.address(index) : 0);
  }

  /** release - free the native memory. The aiocbs must have no request in flight. */
  release(): void {
    releaseNative(this.#cbs);
    releaseNative(this.#list);
  }
}

// Two 32-bit stores instead of setBigUint64: a BigInt per store would be an allocation per op.
function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}
