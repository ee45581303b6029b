/**
 * The C-level tools the differential POSIX tests need beyond the AIO calls themselves: pipes and
 * socketpairs (an AF_UNIX SOCK_DGRAM pair blocks a writer deterministically, as LTP's aio_test.h
 * uses it), dup2 (to reuse an fd number on purpose), SO_SNDBUF, a non-blocking recv, page-cache
 * eviction, a signal sent to the JS thread after a delay (glibc tst-aio9/10's pthread_kill, done
 * by a POSIX timer so the JS thread can already be blocked), a synchronous sleep (the C tests'
 * nanosleep), and two small C programs built with gcc: the siginfo recorder the glibc side needs
 * to observe signals, and the header probe. Raw system calls go through the library's one FFI
 * boundary (`syscall`), so nothing here imports koffi.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { addressOf, allocNative, syscall } from '../../engine/native/index.js';
import { loadSignalRecorder, type CatchSignalInC } from '../../engine/native/glibc-aio.js';
import { NR } from '../../engine/syscalls/nr.js';
import { AF_UNIX, MSG_DONTWAIT, O_CLOEXEC, O_NONBLOCK, SOCK_DGRAM, SOCK_STREAM } from '../../engine/syscalls/constants.generated.js';

export { SOCK_DGRAM, SOCK_STREAM };

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

// POSIX timers are not calls the library makes, so the syscall table does not list them: their
// x86-64 numbers, used by signalThreadAfter only.
const SYS_timer_create = 222;
const SYS_timer_settime = 223;
const SYS_timer_delete = 226;
// <asm-generic/siginfo.h>: deliver to the thread in _sigev_un._tid (Linux-specific).
const SIGEV_THREAD_ID = 4;
const CLOCK_MONOTONIC = 1;
const POSIX_FADV_DONTNEED = 4;
// <asm-generic/socket.h>: the send buffer option (the generated constants do not carry SOL_/SO_ names).
const SOL_SOCKET = 1;
const SO_SNDBUF = 7;

const scratch = allocNative(64, 8);
const scratchView = new DataView(scratch.buffer);

function check(result: number, what: string): number {
  if (result < 0) throw new Error(`${what}: errno ${-result}`);
  return result;
}

/** pipe - pipe2(flags): [read end, write end]. */
export function pipe(nonBlocking = false): [number, number] {
  check(syscall(NR.pipe2, scratch.address, O_CLOEXEC | (nonBlocking ? O_NONBLOCK : 0)), 'pipe2');
  return [scratchView.getInt32(0, true), scratchView.getInt32(4, true)];
}

/** socketpair - socketpair(AF_UNIX, type, 0): two connected ends. */
export function socketpair(type: number): [number, number] {
  check(syscall(NR.socketpair, AF_UNIX, type | O_CLOEXEC, 0, scratch.address), 'socketpair');
  return [scratchView.getInt32(0, true), scratchView.getInt32(4, true)];
}

/** dup2 - make `newFd` refer to what `oldFd` refers to (closing what `newFd` was), as dup2(2). */
export function dup2(oldFd: number, newFd: number): void {
  check(syscall(NR.dup3, oldFd, newFd, 0), 'dup3');
}

/** sendBufferSize - getsockopt(SO_SNDBUF): what the kernel reports (twice the usable size). */
export function sendBufferSize(fd: number): number {
  scratchView.setInt32(8, 4, true);
  check(syscall(NR.getsockopt, fd, SOL_SOCKET, SO_SNDBUF, scratch.address, scratch.address + 8), 'getsockopt');
  return scratchView.getInt32(0, true);
}

/** receiveNow - recv(MSG_DONTWAIT) into `into`: the byte count, or -errno (-EAGAIN when nothing is there). */
export function receiveNow(fd: number, into: Uint8Array): number {
  return syscall(NR.recvfrom, fd, addressOf(into), into.byteLength, MSG_DONTWAIT, 0, 0);
}

/**
 * evictFromPageCache - write the file's dirty pages back and drop its pages from the page cache,
 * so that the next reads of it wait for the disk. The LTP tests that call a request "too fast"
 * (UNRESOLVED) when it has completed before the test looks assume I/O that takes time; a cold
 * file gives them that without touching the cache of anything else on the machine.
 */
export function evictFromPageCache(fd: number): void {
  check(syscall(NR.fdatasync, fd), 'fdatasync');
  check(syscall(NR.fadvise64, fd, 0, 0, POSIX_FADV_DONTNEED), 'posix_fadvise');
}

/** jsThreadId - the kernel thread id of the thread running JavaScript. */
export function jsThreadId(): number {
  return syscall(NR.gettid);
}

/**
 * signalThreadAfter - have the kernel send `signo` to thread `tid` of this process after
 * `delayMs`, through a one-shot POSIX timer (SIGEV_THREAD_ID). Unlike kill(2), the signal is
 * directed at that thread, as pthread_kill is; unlike a helper thread, nothing of ours needs to
 * run while the JS thread is blocked.
 *
 * @returns a function that deletes the timer.
 */
export function signalThreadAfter(tid: number, signo: number, delayMs: number): () => void {
  const event = allocNative(64, 8);
  const view = new DataView(event.buffer);
  // Kernel struct sigevent: sigev_value@0, sigev_signo@8, sigev_notify@12, _sigev_un._tid@16.
  view.setInt32(8, signo, true);
  view.setInt32(12, SIGEV_THREAD_ID, true);
  view.setInt32(16, tid, true);
  const idBlock = allocNative(8, 8);
  check(syscall(SYS_timer_create, CLOCK_MONOTONIC, event.address, idBlock.address), 'timer_create');
  const timerId = new DataView(idBlock.buffer).getInt32(0, true);
  const spec = allocNative(32, 8);
  const specView = new DataView(spec.buffer);
  // struct itimerspec { it_interval; it_value }: one shot after delayMs.
  specView.setBigInt64(16, BigInt(Math.floor(delayMs / 1000)), true);
  specView.setBigInt64(24, BigInt((delayMs % 1000) * 1_000_000), true);
  check(syscall(SYS_timer_settime, timerId, 0, spec.address, 0), 'timer_settime');
  return () => {
    syscall(SYS_timer_delete, timerId);
  };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** sleepSync - block the JS thread for `ms`, as the C tests' nanosleep blocks theirs. */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

/** hasGcc - whether a C compiler is installed (the glibc side's signal tests and the header probe need it). */
export function hasGcc(): boolean {
  try {
    execFileSync('gcc', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * buildC - compile a C file of test/fixtures with gcc, once per content: the output is cached in
 * the temp directory under the source's hash, and written under a temporary name then renamed,
 * so that two test processes building at once never load a half-written file.
 */
function buildC(source: string, kind: 'shared' | 'program'): string {
  const path = join(FIXTURES, source);
  const hash = createHash('sha256').update(readFileSync(path)).update(kind).digest('hex').slice(0, 16);
  const dir = join(tmpdir(), 'syslet-posix-build');
  mkdirSync(dir, { recursive: true });
  const output = join(dir, `${source.replace(/\.c$/, '')}-${hash}${kind === 'shared' ? '.so' : ''}`);
  if (existsSync(output)) return output;
  const partial = `${output}.${process.pid}.tmp`;
  const flags = kind === 'shared' ? ['-shared', '-fPIC'] : [];
  execFileSync('gcc', ['-O2', '-Wall', ...flags, '-o', partial, path], { stdio: ['ignore', 'ignore', 'inherit'] });
  renameSync(partial, output);
  return output;
}

/** What a C handler saw: the siginfo_t fields the tests check. */
export interface RecordedSignal {
  readonly signo: number;
  readonly code: number;
  readonly pid: number;
  readonly uid: number;
  /** si_value.sival_ptr (8 bytes): a number, or a bigint beyond 2^53. */
  readonly value: number | bigint;
  /** si_value.sival_int (its low 32 bits). */
  readonly int: number;
}

const SIGINFO_SIZE = 128;
let recorder: CatchSignalInC | null = null;

/**
 * catchSignalInC - give `signo` a C handler (test/fixtures/signal-recorder.c) that writes every
 * delivery's siginfo to a pipe, and return a reader of those records.
 *
 * @param restart - SA_RESTART, as the C test's sigaction asks.
 * @returns `drain()`, which reads the records that arrived since the last call.
 */
export function catchSignalInC(signo: number, restart: boolean): { drain: () => RecordedSignal[] } {
  recorder ??= loadSignalRecorder(buildC('signal-recorder.c', 'shared'));
  const [readEnd, writeEnd] = pipe(true);
  check(recorder(signo, writeEnd, restart ? 1 : 0), `sigaction(${signo})`);
  const chunk = Buffer.alloc(SIGINFO_SIZE * 64);
  let pending = Buffer.alloc(0);
  return {
    drain: () => {
      const records: RecordedSignal[] = [];
      for (;;) {
        let got = 0;
        try {
          got = readSync(readEnd, chunk, 0, chunk.length, null);
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code === 'EAGAIN') break;
          throw error;
        }
        if (got === 0) break;
        pending = Buffer.concat([pending, chunk.subarray(0, got)]);
      }
      while (pending.length >= SIGINFO_SIZE) {
        // siginfo_t on x86-64: si_signo@0, si_code@8, si_pid@16, si_uid@20, si_value@24.
        const raw = pending.readBigUInt64LE(24);
        records.push({
          signo: pending.readInt32LE(0),
          code: pending.readInt32LE(8),
          pid: pending.readInt32LE(16),
          uid: pending.readUInt32LE(20),
          value: raw <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(raw) : raw,
          int: pending.readInt32LE(24),
        });
        pending = pending.subarray(SIGINFO_SIZE);
      }
      return records;
    },
  };
}

/** The values aio-header-probe.c prints: <aio.h>/<signal.h> constants and layouts, from gcc. */
export type HeaderFacts = Readonly<Record<string, number>>;

/** headerFacts - build and run the header probe (needs gcc). */
export function headerFacts(): HeaderFacts {
  const output = execFileSync(buildC('aio-header-probe.c', 'program'), { encoding: 'utf8' });
  return JSON.parse(output) as HeaderFacts;
}
