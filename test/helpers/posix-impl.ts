/**
 * The adapter the differential tests are written against: the C-level operations of <aio.h>, as
 * a C test would call them, implemented twice.
 *
 * - **glibc**: glibc's real AIO through koffi (engine/native/glibc-aio.ts). aiocbs, buffers, lists and
 *   sigevents are native memory, as in a C program.
 * - **syslet**: the project's POSIX shim through its public API only (the package root,
 *   index.ts): Aiocb, aio_read, ..., errno(), receiveSignals.
 *
 * A test says what a C test says: `impl.aiocb({ aio_fildes: fd, aio_buf, aio_nbytes: 512 })` is
 * `memset(&cb, 0, sizeof cb); cb.aio_fildes = fd; ...`; every call returns what the C call
 * returns, and `impl.errno()` is errno.
 */
import type { RecordedSignal } from './posix-os.js';

/** A C `struct timespec` (a relative timeout for aio_suspend). */
export interface Timespec {
  readonly tv_sec: number;
  readonly tv_nsec: number;
}

/** SIGEV_THREAD's function: receives `sigev_value`. */
export type SigevNotifyFunction = (value: number | bigint) => void;

/** Members of `struct sigevent` a test assigns (the others keep their value). */
export interface SigeventFields {
  sigev_notify?: number;
  sigev_signo?: number;
  sigev_value?: number | bigint;
  sigev_notify_function?: SigevNotifyFunction | null;
}

/** Members of `struct aiocb` a test assigns (the others keep their value). */
export interface AiocbFields {
  aio_fildes?: number;
  aio_lio_opcode?: number;
  aio_reqprio?: number;
  /** A buffer from `impl.buffer()` (or a subarray of one), or null for NULL. */
  aio_buf?: Uint8Array | null;
  aio_nbytes?: number;
  aio_offset?: number;
  aio_sigevent?: SigeventFields;
}

/** One `struct aiocb`. */
export interface ControlBlock {
  /** `&aiocb`: what a C test stores in sival_ptr. */
  readonly address: number;
  readonly aio_fildes: number;
  readonly aio_lio_opcode: number;
  readonly aio_reqprio: number;
  /** The buffer last assigned while the pointer still points at it; else the raw pointer (0n for NULL). */
  readonly aio_buf: Uint8Array | bigint;
  readonly aio_nbytes: number;
  readonly aio_offset: number;
  readonly sigev_notify: number;
  /** assign - C member assignments. */
  assign(fields: AiocbFields): void;
  /** zero - `memset(&aiocb, 0, sizeof aiocb)` (the private status fields included). */
  zero(): void;
}

/** What a signal handler received. */
export type SignalInfo = RecordedSignal;

/** A signal the test catches, as a C test's sigaction(SA_SIGINFO) handler would. */
export interface SignalCatcher {
  /** Every delivery received so far, oldest first. */
  received(): readonly SignalInfo[];
  /** Resolves once `count` deliveries have been received, or at `timeoutMs` with what arrived. */
  waitFor(count: number, timeoutMs: number): Promise<readonly SignalInfo[]>;
}

/** The <aio.h>/<signal.h>/<fcntl.h> values the implementation defines. */
export interface AioConstants {
  readonly AIO_CANCELED: number;
  readonly AIO_NOTCANCELED: number;
  readonly AIO_ALLDONE: number;
  readonly LIO_READ: number;
  readonly LIO_WRITE: number;
  readonly LIO_NOP: number;
  readonly LIO_WAIT: number;
  readonly LIO_NOWAIT: number;
  readonly SIGEV_NONE: number;
  readonly SIGEV_SIGNAL: number;
  readonly SIGEV_THREAD: number;
  readonly O_SYNC: number;
  readonly O_DSYNC: number;
  readonly SIGRTMIN: number;
  readonly SIGRTMAX: number;
}

/** The operations the ported tests need, with C's names, arguments and results. */
export interface AioImpl {
  readonly name: 'glibc' | 'syslet';
  readonly constants: AioConstants;
  /** The same operations through the LFS names (aio_read64, ..., lio_listio64), as tst-aio64 calls them. */
  readonly lfs: AioImpl;
  /** buffer - zeroed memory an aiocb may point at for the rest of the process (C: a static or malloc'd array). */
  buffer(size: number): Buffer;
  /** aiocb - a zeroed `struct aiocb` with `fields` assigned. */
  aiocb(fields?: AiocbFields): ControlBlock;
  aio_read(cb: ControlBlock): number;
  aio_write(cb: ControlBlock): number;
  aio_fsync(op: number, cb: ControlBlock): number;
  aio_error(cb: ControlBlock): number;
  aio_return(cb: ControlBlock): number;
  aio_suspend(list: readonly (ControlBlock | null)[], nent: number, timeout: Timespec | null): number;
  aio_cancel(fd: number, cb: ControlBlock | null): number;
  lio_listio(mode: number, list: readonly (ControlBlock | null)[], nent: number, sig: SigeventFields | null): number;
  aio_init(init: { aio_threads: number; aio_num: number; aio_idle_time: number }): void;
  errno(): number;
  /**
   * catchSignal - install a handler for `signo` before the test makes it arrive.
   * glibc: a C sigaction(SA_SIGINFO [| SA_RESTART]) handler (test/fixtures/signal-recorder.c).
   * syslet: receiveSignals(signo) — the library's only way to take a signal; it has no
   * SA_RESTART notion (a received signal always makes a blocking wait return EINTR).
   */
  catchSignal(signo: number, options: { restart: boolean }): SignalCatcher;
}

/**
 * Unsupported - what an adapter throws when this machine cannot run an operation at all (the
 * glibc side's signal handler needs gcc to be built); the harness reports the run as skipped.
 */
export class Unsupported extends Error {}

/** pollingCatcher - a SignalCatcher over a list that `poll()` brings up to date. */
export function pollingCatcher(poll: () => void, list: SignalInfo[]): SignalCatcher {
  return {
    received: () => {
      poll();
      return list;
    },
    waitFor: (count, timeoutMs) =>
      new Promise((resolve) => {
        const deadline = performance.now() + timeoutMs;
        const check = (): void => {
          poll();
          if (list.length >= count || performance.now() >= deadline) resolve(list);
          else setTimeout(check, 5);
        };
        check();
      }),
  };
}

/** The two implementations' names, in the order the tests run them. */
export const IMPL_NAMES = ['glibc', 'syslet'] as const;
export type ImplName = (typeof IMPL_NAMES)[number];

/**
 * implementation - the adapter named `name`. Each lives in its own module, loaded on demand: a
 * glibc run never loads the project, and the test runner itself loads neither.
 */
export async function implementation(name: ImplName): Promise<AioImpl> {
  if (name === 'glibc') return (await import('./posix-impl-glibc.js')).createGlibc('');
  return (await import('./posix-impl-syslet.js')).createSyslet(false);
}

