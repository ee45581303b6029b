/**
 * glibc's own POSIX AIO, bound through koffi: the peer a Node user would otherwise bind, the one
 * the benchmark holds this library against, and the oracle of the differential POSIX tests
 * (test/posix-*.test.ts run every behaviour against it and against the shim). It is a measuring
 * stick, not part of the engine: nothing outside bench/ and test/ should use it.
 *
 * Complete: aio_read/write/fsync/error/return/suspend/cancel, lio_listio, aio_init, the LFS
 * (`*64`) names, the sigevent and aioinit layouts, the C-function pointer a SIGEV_THREAD request
 * needs, and a loader for the C signal handler the tests build (glibc sends SIGEV_SIGNAL to the
 * whole process, where only a C handler sees every delivery). The struct offsets and <aio.h>
 * values are glibc's own, spelled once in engine/syscalls/aio-abi.ts (the shim's Aiocb lays out
 * the same bytes); a test compares each with gcc (test/posix-binding-matches-the-c-headers.test.ts).
 *
 * Since glibc 2.34 the aio_* functions live in libc.so.6 (librt keeps compatibility symbols), so
 * the one libc handle of libc.ts serves. Every pointer crosses as an `intptr_t` number: koffi
 * then allocates nothing per call (a `void *` parameter would want a BigInt), which keeps the
 * peer as fast as it can honestly be.
 */
import koffi from 'koffi';
import { libc } from './libc.js';
import { allocNative, releaseNative, type NativeBlock } from './memory.js';
import { AIOCB, SIGEVENT } from '../syscalls/aio-abi.js';
// The kernel's values (sigev_notify, aio_fsync's ops), spelled once in the generated constants.
import { O_DSYNC, O_SYNC, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } from '../syscalls/constants.generated.js';

// The layouts and <aio.h> values are the ones the shim's Aiocb uses, from the one ABI table.
export { AIO_ALLDONE, AIO_CANCELED, AIO_NOTCANCELED, AIOCB, AIOINIT, LIO_NOP, LIO_NOWAIT, LIO_READ, LIO_WAIT, LIO_WRITE, SIGEVENT } from '../syscalls/aio-abi.js';
// sigev_notify values and aio_fsync's ops (glibc's O_SYNC is __O_SYNC | O_DSYNC): the kernel's.
export { O_DSYNC, O_SYNC, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD };

/** glibc's AIO entry points. Addresses are plain numbers; results follow the C conventions, with -1 + errno folded into -errno. */
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
  /**
   * aio_cancel(3): cancel the request at `aiocb` (or, with 0, every request of `fd`).
   * @returns AIO_CANCELED, AIO_NOTCANCELED or AIO_ALLDONE; else -errno (EBADF, EINVAL).
   */
  readonly cancel: (fd: number, aiocb: number) => number;
  /** aio_fsync(3): `op` is O_SYNC or O_DSYNC. 0 when queued, else -errno (EINVAL for a bad op, EBADF for a bad fd). */
  readonly fsync: (op: number, aiocb: number) => number;
  /**
   * lio_listio(3): submit `nent` requests from the pointer array at `list`.
   * @param sigevent - address of the list's `struct sigevent` (LIO_NOWAIT only), or 0.
   * @returns 0, or -errno (EIO when an entry failed, EINVAL, EAGAIN, EINTR).
   */
  readonly listio: (mode: number, list: number, nent: number, sigevent: number) => number;
  /** aio_init(3): tune the helper threads from the `struct aioinit` at `init` (effective before the first request). */
  readonly init: (init: number) => void;
}

const bound = new Map<string, GlibcAio>();

/**
 * glibcAio - glibc's AIO functions, bound once.
 *
 * @param suffix - '' for the POSIX names, '64' for the LFS names (aio_read64...; on x86-64 glibc
 *   exports them as aliases of the same code).
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
export function glibcAio(suffix: '' | '64' = ''): GlibcAio {
  const known = bound.get(suffix);
  if (known !== undefined) return known;
  const read = libc.func(`aio_read${suffix}`, 'int', ['intptr_t']) as (cb: number) => number;
  const write = libc.func(`aio_write${suffix}`, 'int', ['intptr_t']) as (cb: number) => number;
  const suspend = libc.func(`aio_suspend${suffix}`, 'int', ['intptr_t', 'int', 'intptr_t']) as (list: number, n: number, t: number) => number;
  const error = libc.func(`aio_error${suffix}`, 'int', ['intptr_t']) as (cb: number) => number;
  const ret = libc.func(`aio_return${suffix}`, 'long', ['intptr_t']) as (cb: number) => number;
  const cancel = libc.func(`aio_cancel${suffix}`, 'int', ['int', 'intptr_t']) as (fd: number, cb: number) => number;
  const fsync = libc.func(`aio_fsync${suffix}`, 'int', ['int', 'intptr_t']) as (op: number, cb: number) => number;
  const listio = libc.func(`lio_listio${suffix}`, 'int', ['int', 'intptr_t', 'int', 'intptr_t']) as (mode: number, list: number, n: number, sig: number) => number;
  // aio_init has no LFS twin: one struct aioinit serves both.
  const init = libc.func('aio_init', 'void', ['intptr_t']) as (init: number) => void;
  // Only the -1 results read errno, so the common path costs one native call and nothing more.
  const aio: GlibcAio = {
    read: (cb) => (read(cb) === 0 ? 0 : -koffi.errno()),
    write: (cb) => (write(cb) === 0 ? 0 : -koffi.errno()),
    suspend: (list, n, t) => (suspend(list, n, t) === 0 ? 0 : -koffi.errno()),
    error,
    return: ret,
    cancel: (fd, cb) => {
      const result = cancel(fd, cb);
      return result === -1 ? -koffi.errno() : result;
    },
    fsync: (op, cb) => (fsync(op, cb) === 0 ? 0 : -koffi.errno()),
    listio: (mode, list, n, sig) => (listio(mode, list, n, sig) === 0 ? 0 : -koffi.errno()),
    init,
  };
  bound.set(suffix, aio);
  return aio;
}

/** A JS function glibc may call as `void (*)(union sigval)`: receives sival_ptr (sival_int is its low 32 bits). */
export type SigevNotifyCallback = (value: number) => void;

const sigevNotifyProto = koffi.proto('void glibc_aio_sigev_notify(intptr_t value)');
const registeredCallbacks = new Map<SigevNotifyCallback, number>();

/**
 * sigevNotifyFunction - the C function pointer to store in `sigev_notify_function` so that a
 * SIGEV_THREAD notification calls `callback`.
 *
 * glibc calls the function on a thread it creates for that one completion. koffi relays a call
 * made on a foreign thread to the JS thread and keeps the glibc thread waiting until JS has run
 * it, so `callback` runs on the event loop, after whatever synchronous code holds the JS thread
 * (an aio_suspend, a lio_listio(LIO_WAIT)) returns. The glibc thread holds no AIO lock meanwhile,
 * so this cannot deadlock a waiting JS thread. `union sigval` is 8 bytes of INTEGER class on
 * x86-64, so it arrives in one register, as an intptr_t.
 *
 * @returns the pointer (registered once per callback and never released: a glibc thread may still
 *   be about to call it).
 */
export function sigevNotifyFunction(callback: SigevNotifyCallback): number {
  const known = registeredCallbacks.get(callback);
  if (known !== undefined) return known;
  const pointer = Number(koffi.register(callback, koffi.pointer(sigevNotifyProto)));
  registeredCallbacks.set(callback, pointer);
  return pointer;
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
    this.#cbs = allocNative(count * AIOCB.size);
    this.#list = allocNative(count * 8);
    this.#view = new DataView(this.#cbs.buffer);
    this.#listView = new DataView(this.#list.buffer);
    this.listAddress = this.#list.address;
  }

  /** address - the address of aiocb `index`. */
  address(index: number): number {
    return this.#cbs.address + index * AIOCB.size;
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
    const base = index * AIOCB.size;
    const v = this.#view;
    v.setInt32(base + AIOCB.aio_fildes, fd, true);
    v.setInt32(base + AIOCB.aio_lio_opcode, 0, true);
    v.setInt32(base + AIOCB.aio_reqprio, 0, true);
    setU64(v, base + AIOCB.aio_buf, buffer);
    setU64(v, base + AIOCB.aio_nbytes, nbytes);
    v.setInt32(base + AIOCB.aio_sigevent + SIGEVENT.sigev_notify, SIGEV_NONE, true);
    setU64(v, base + AIOCB.aio_offset, offset);
  }

  /** setOffset - change only the file offset of aiocb `index` (reusing it for the next request). */
  setOffset(index: number, offset: number): void {
    setU64(this.#view, index * AIOCB.size + AIOCB.aio_offset, offset);
  }

  /** setLioOpcode - set `aio_lio_opcode` of aiocb `index` (LIO_READ, LIO_WRITE, LIO_NOP) for lio_listio. */
  setLioOpcode(index: number, opcode: number): void {
    this.#view.setInt32(index * AIOCB.size + AIOCB.aio_lio_opcode, opcode, true);
  }

  /**
   * setSigevent - set the notification of aiocb `index`.
   *
   * @param notify - SIGEV_NONE, SIGEV_SIGNAL or SIGEV_THREAD.
   * @param signo - the signal SIGEV_SIGNAL queues (glibc sends it to the process, si_code SI_ASYNCIO).
   * @param value - sigev_value (sival_ptr; sival_int is its low half).
   * @param notifyFunction - SIGEV_THREAD's function pointer (see {@link sigevNotifyFunction}), or 0.
   */
  setSigevent(index: number, notify: number, signo = 0, value: number | bigint = 0, notifyFunction = 0): void {
    writeSigevent(this.#view, index * AIOCB.size + AIOCB.aio_sigevent, notify, signo, value, notifyFunction);
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

/**
 * writeSigevent - fill a `struct sigevent` at byte `at` of `view` (inside an aiocb, or standalone
 * for lio_listio). The attributes pointer is left NULL: glibc then creates a detached thread.
 */
export function writeSigevent(view: DataView, at: number, notify: number, signo: number, value: number | bigint, notifyFunction: number): void {
  view.setBigInt64(at + SIGEVENT.sigev_value, BigInt.asIntN(64, BigInt(value)), true);
  view.setInt32(at + SIGEVENT.sigev_signo, signo, true);
  view.setInt32(at + SIGEVENT.sigev_notify, notify, true);
  setU64(view, at + SIGEVENT.sigev_notify_function, notifyFunction);
  setU64(view, at + SIGEVENT.sigev_notify_attributes, 0);
}

// Two 32-bit stores instead of setBigUint64: a BigInt per store would be an allocation per op.
function setU64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value >>> 0, true);
  view.setUint32(at + 4, Math.floor(value / 0x1_0000_0000), true);
}

/** `oracle_catch_signal(signo, record_fd, restart)` of test/fixtures/signal-recorder.c: sigaction's result (0, or -1). */
export type CatchSignalInC = (signo: number, recordFd: number, restart: number) => number;

/**
 * loadSignalRecorder - load the shared object built from test/fixtures/signal-recorder.c (a
 * SA_SIGINFO handler that writes each delivery's siginfo to a pipe) and bind its one function.
 * glibc queues SIGEV_SIGNAL at the process, so any thread of Node may take it: only a C handler
 * installed with sigaction sees every delivery, whichever thread runs it.
 *
 * @param path - the `.so` gcc built.
 * @returns `oracle_catch_signal`, which returns -errno on failure (errno folded as elsewhere here).
 */
export function loadSignalRecorder(path: string): CatchSignalInC {
  const catchSignal = koffi.load(path).func('int oracle_catch_signal(int signo, int record_fd, int restart)') as CatchSignalInC;
  return (signo, recordFd, restart) => (catchSignal(signo, recordFd, restart) === 0 ? 0 : -koffi.errno());
}
