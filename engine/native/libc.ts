/**
 * The one FFI boundary: every call into native code goes through this folder, and koffi is
 * imported nowhere else. libc's `syscall()` reports failure as -1 plus errno; this module turns
 * that into the kernel's own one-word convention (negative errno) once, here, so that nothing
 * above it ever reads errno.
 */
import koffi from 'koffi';
import * as errnoExports from './errno.js';
import * as nrExports from '../syscalls/nr.js';
import * as abiExports from '../syscalls/abi.js';
import { isMainThread, workerData } from 'node:worker_threads';
import { OWN_THREAD_KOFFI_CONFIG } from './worker-env.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use (preadv2
// below is inlined into the probe of every cached read).
const { EOPNOTSUPP } = errnoExports;
const { NR } = nrExports;
const { IOV_MAX } = abiExports;

// A cachemiss thread (its workerData says so) gets koffi's small call memory before this first
// load: what koffi leaves mapped when the thread ends (see OWN_THREAD_KOFFI_CONFIG).
if (!isMainThread && (workerData as { ownThread?: unknown } | null)?.ownThread === true) koffi.config({ ...OWN_THREAD_KOFFI_CONFIG });

/** glibc, loaded once per thread (koffi instances are per-isolate, so each worker loads its own). */
export const libc = koffi.load('libc.so.6');

/** Integer argument of a raw system call: a JS number when it fits in 53 bits, else a bigint. */
export type Word = number | bigint;

// A fixed-arity alias of the variadic syscall(): koffi cannot call variadic functions cheaply,
// and glibc's syscall stub reads exactly these registers, so seven longs are the honest shape.
const rawSyscall = libc.func('syscall', 'long', ['long', 'long', 'long', 'long', 'long', 'long', 'long']) as (
  nr: number,
  a0: Word,
  a1: Word,
  a2: Word,
  a3: Word,
  a4: Word,
  a5: Word,
) => number | bigint;

/**
 * syscall - invoke a raw Linux x86-64 system call, through the same FFI call the engine makes
 * for every atom (about 0.2 µs; docs/design.md §1 measures it).
 *
 * It is not an atom: the engine's policy and pointer confinement do not apply, so an address
 * argument is trusted as it is (a wrong one can crash the process, as in C). Use a chain for
 * anything a caller's input can reach; this is for measuring, and for the odd call outside one.
 *
 * @param nr - the x86-64 syscall number.
 * @param a0 - first argument (integers and addresses alike); the rest default to 0.
 * @returns the kernel's one-word result: non-negative on success, `-errno` on failure. Results that
 *   do not fit in 53 bits (lseek's, on some files) come back as numbers rounded by koffi; callers
 *   needing them exactly use {@link syscallWord} or {@link syscallBig}.
 * @example
 * ```ts
 * const pid = syscall(39); // getpid
 * syscall(3, -1) === -9; // close(-1) → -EBADF
 * ```
 */
export function syscall(nr: number, a0: Word = 0, a1: Word = 0, a2: Word = 0, a3: Word = 0, a4: Word = 0, a5: Word = 0): number {
  const result = rawSyscall(nr, a0, a1, a2, a3, a4, a5);
  // The number case first: `-1n` is a unary minus evaluated (and a BigInt allocated) per call.
  if (typeof result === 'number') return result === -1 ? -(koffi.errno()) : result;
  return result === MINUS_ONE ? -(koffi.errno()) : Number(result);
}

const MINUS_ONE = -1n;

/**
 * syscallWord - like {@link syscall}, but a result beyond 2^53 comes back exactly, as a bigint
 * (lseek's answer on an ext4 directory is 2^63 - 1): what the engine writes to a result cell.
 *
 * @returns the kernel's one-word result: a number while it is a safe integer, else a bigint;
 *   `-errno` on failure.
 * @example
 * ```ts
 * const end = syscallWord(8, dirFd, 0, 4); // lseek(dir, 0, SEEK_HOLE) → 9223372036854775807n on ext4
 * ```
 */
export function syscallWord(nr: number, a0: Word = 0, a1: Word = 0, a2: Word = 0, a3: Word = 0, a4: Word = 0, a5: Word = 0): Word {
  const result = rawSyscall(nr, a0, a1, a2, a3, a4, a5);
  if (typeof result === 'number') return result === -1 ? -(koffi.errno()) : result;
  return result === MINUS_ONE ? -(koffi.errno()) : result;
}

/**
 * syscallBig - like {@link syscall} but always returns a bigint, for results wider than 53 bits.
 *
 * @returns the kernel's result as a bigint, `-errno` on failure.
 */
export function syscallBig(nr: number, a0: Word = 0, a1: Word = 0, a2: Word = 0, a3: Word = 0, a4: Word = 0, a5: Word = 0): bigint {
  const result = rawSyscall(nr, a0, a1, a2, a3, a4, a5);
  if (result === -1 || result === MINUS_ONE) return -BigInt(koffi.errno());
  return BigInt(result);
}

const SYS_preadv2 = NR.preadv2;

// glibc's own preadv2: five arguments instead of syscall()'s seven, and N-API reads each one
// (callgrind: 1,071 instructions per call against 1,301 for the same read through syscall()).
const glibcPreadv2 = libc.func('preadv2', 'long', ['int', 'long', 'int', 'long', 'int']) as (
  fd: number,
  iov: number,
  count: number,
  offset: number,
  flags: number,
) => number | bigint;

/**
 * preadv2 - the preadv2(2) system call with the kernel's answer, made through glibc's
 * five-argument wrapper when that is certain to be the same call (the inline probe's read).
 *
 * glibc's wrapper is not the raw call for every input, so it is used only for arguments it
 * passes on unchanged: an fd, count and flags that are int32 numbers (it takes them as ints; the
 * kernel truncates fd and flags to 32 bits the same way, but a count of 2^32 + 1 would become 1
 * where the kernel answers EINVAL), a count of at most IOV_MAX, a number offset. Anything else is
 * made through syscall() as before. glibc also turns ENOSYS (a seccomp filter, an old kernel)
 * into EOPNOTSUPP when flags are given: an EOPNOTSUPP is asked of the kernel again through
 * syscall(), which is safe because both refusals come before anything is read.
 *
 * @param fd - the file descriptor.
 * @param iov - address of the iovec array.
 * @param count - number of iovecs.
 * @param offset - file offset, or -1 for the current position.
 * @param flags - RWF_* flags.
 * @returns what the kernel answered: bytes read, or -errno.
 * @example
 * ```ts
 * preadv2(fd, iovecs, 1, 0, RWF_NOWAIT); // 4096, or -EAGAIN when the page is not cached
 * ```
 */
export function preadv2(fd: Word, iov: Word, count: Word, offset: Word, flags: Word): number {
  if (
    typeof fd === 'number' && (fd | 0) === fd && typeof iov === 'number' && typeof count === 'number' && (count | 0) === count &&
    count >= 0 && count <= IOV_MAX && typeof offset === 'number' && typeof flags === 'number' && (flags | 0) === flags
  ) {
    const result = glibcPreadv2(fd, iov, count, offset, flags);
    if (typeof result === 'number' ? result !== -1 : result !== MINUS_ONE) return Number(result);
    const errno = koffi.errno();
    if (errno !== EOPNOTSUPP) return -errno;
  }
  return syscall(SYS_preadv2, fd, iov, count, offset, 0, flags);
}

const dlsym = libc.func('void *dlsym(void *handle, const char *symbol)') as (handle: null, symbol: string) => bigint | null;

/**
 * symbolAddress - the address of a libc function, for the few places that need a C function
 * pointer (a no-op signal handler).
 *
 * @returns the address, or 0 when the symbol is unknown.
 */
export function symbolAddress(name: string): number {
  const address = dlsym(null, name);
  return address === null ? 0 : Number(address);
}

const sigaction = libc.func('int sigaction(int sig, const void *act, void *oldact)') as (
  sig: number,
  act: Uint8Array | null,
  oldact: Uint8Array | null,
) => number;

/**
 * installInterruptingHandler - give `signo` a handler that does nothing and does not restart
 * system calls, so that a signal sent to a thread blocked in a syscall makes that call return
 * -EINTR. glibc's sigaction() supplies the SA_RESTORER trampoline a raw rt_sigaction would need.
 *
 * @param signo - the signal to claim.
 * @returns 0, or -errno.
 */
export function installInterruptingHandler(signo: number): number {
  // struct sigaction on x86-64 glibc: handler@0 (8), sa_mask@8 (128), sa_flags@136 (4), restorer@144.
  const act = new Uint8Array(152);
  const view = new DataView(act.buffer);
  // abs(int) is a pure, async-signal-safe function of one int: a harmless handler(signo).
  view.setBigUint64(0, BigInt(symbolAddress('abs')), true);
  view.setInt32(136, 0, true);
  return sigaction(signo, act, null) === 0 ? 0 : -(koffi.errno());
}

/** Scratch for signalHandledForGood: one struct sigaction, reused (asked per self-signal atom). */
const dispositionScratch = new Uint8Array(152);
const dispositionView = new DataView(dispositionScratch.buffer);
/** SA_RESETHAND (asm-generic/signal-defs.h): the handler runs once, then the default action is back. */
const SA_RESETHAND = 0x80000000;

/**
 * signalHandledForGood - whether `signo` delivered to this process now would be handled (or
 * ignored) rather than take its default action: a read-only sigaction query. SIG_DFL is not
 * handled; neither is a one-shot handler (SA_RESETHAND): Node's own SIGINT/SIGTERM handler is one
 * — it restores the terminal and raises the signal again, so the process still ends — while
 * `process.on(signal)` installs libuv's lasting handler. Dispositions are per process, so any
 * thread may ask.
 *
 * @param signo - 1..64.
 * @returns 1 (a lasting handler, or SIG_IGN), 0 (SIG_DFL or a one-shot handler), or -errno
 *   (EINVAL for a number the kernel does not know).
 */
export function signalHandledForGood(signo: number): number {
  if (sigaction(signo, null, dispositionScratch) !== 0) return -(koffi.errno());
  // SIG_DFL is a null handler; SIG_IGN is 1.
  const handler = dispositionView.getBigUint64(0, true);
  if (handler === 0n) return 0;
  if (handler === 1n) return 1;
  return (dispositionView.getUint32(136, true) & SA_RESETHAND) !== 0 ? 0 : 1;
}

/** SA_RESTART (asm-generic/signal.h): calls a handler interrupts go on as if it had not run. */
const SA_RESTART = 0x10000000;

/**
 * installHarmlessHandler - where `signo` still has its default disposition, give it a handler
 * that does nothing and restarts system calls, so that a delivery to a thread that does not block
 * it is lost rather than fatal. A signal a library call receives through a signalfd is blocked
 * only in that thread; sent to the whole process by another program (`kill -USR2 <pid>`), it went
 * to one of Node's threads that leave it unblocked, whose default action ended the process
 * (hunt25: exit 140, 162, 168 at the first signal). A handler the program or Node installed (SIG_IGN
 * included) is left as it is.
 *
 * @param signo - the signal.
 * @returns 0 (installed, or another disposition kept), or -errno.
 */
export function installHarmlessHandler(signo: number): number {
  const old = new Uint8Array(152);
  if (sigaction(signo, null, old) !== 0) return -(koffi.errno());
  // SIG_DFL is a null handler.
  if (new DataView(old.buffer).getBigUint64(0, true) !== 0n) return 0;
  const act = new Uint8Array(152);
  const view = new DataView(act.buffer);
  view.setBigUint64(0, BigInt(symbolAddress('abs')), true);
  view.setInt32(136, SA_RESTART, true);
  return sigaction(signo, act, null) === 0 ? 0 : -(koffi.errno());
}
