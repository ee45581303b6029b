/**
 * A cachemiss thread's clock of the time it was *not* blocked: on a CPU, or runnable and waiting
 * for one. The pool's governor compares it with a chain's service time to tell chains that wait
 * in the kernel (an uncached read, a socket: more threads help) from chains that need a CPU (a
 * buffered write, a JIT-cold executor, or any chain on an oversubscribed machine: more threads
 * only add start-up, JIT and wake-up costs). Time spent waiting for a CPU counts as not blocked:
 * another thread would wait for it too.
 *
 * The CPU time is `clock_gettime(CLOCK_THREAD_CPUTIME_ID)`; the run-queue wait is the second
 * number of the thread's own `/proc/thread-self/schedstat` (kept open), which the kernel brings
 * up to date each time the thread gets a CPU. (Its first number, on-CPU time, is not: it lags
 * by up to a scheduler tick for a thread that has not been switched out, so a chain that never
 * blocks would look blocked.) Without that file (no /proc, no schedstats) the CPU time alone
 * stands in.
 */
import { syscall, type NativeBlock } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { AT_FDCWD, O_CLOEXEC, O_RDONLY } from './syscalls/constants.generated.js';

const SYS_openat = NR.openat;
const SYS_pread64 = NR.pread64;
const SYS_close = NR.close;
const SYS_clock_gettime = NR.clock_gettime;
/** clockid_t of the calling thread's CPU time (linux/time.h; not among the generated constants). */
const CLOCK_THREAD_CPUTIME_ID = 3;
const SCHEDSTAT = '/proc/thread-self/schedstat';
/** Room for the file's one line: three decimal u64s. */
const LINE_BYTES = 96;
/** What a clock needs of native memory: the line, then a timespec. */
export const CLOCK_BYTES = LINE_BYTES + 16;
const DIGIT_0 = 48;

/**
 * One thread's busy clock (make it on the thread it measures). Its file stays open for the
 * thread's life; the pool closes it when the thread has exited (WORKER_STATE.clockFd), so the
 * thread makes no FFI call on its way out, where a termination at process exit could land.
 */
export class ThreadBusyClock {
  readonly #address: number;
  readonly #bytes: Uint8Array;
  readonly #view: DataView;
  /** The schedstat fd (-1: the CPU-time clock alone). */
  readonly fd: number;

  /**
   * @param block - native memory the clock may use from `offset` on: {@link CLOCK_BYTES}
   *   bytes, 8-aligned, kept for the thread's life.
   */
  constructor(block: NativeBlock, offset: number) {
    this.#address = block.address + offset;
    this.#bytes = new Uint8Array(block.buffer, offset, CLOCK_BYTES);
    this.#view = new DataView(block.buffer, offset, CLOCK_BYTES);
    new TextEncoder().encodeInto(`${SCHEDSTAT}\0`, this.#bytes);
    const fd = syscall(SYS_openat, AT_FDCWD, this.#address, O_RDONLY | O_CLOEXEC, 0);
    this.fd = fd >= 0 && this.#readSchedstat(fd) >= 0 ? fd : -1;
    if (fd >= 0 && this.fd < 0) syscall(SYS_close, fd);
  }

  /** busyNs - ns this thread has been on a CPU or waiting for one (a running total). */
  busyNs(): number {
    syscall(SYS_clock_gettime, CLOCK_THREAD_CPUTIME_ID, this.#address + LINE_BYTES);
    // (A thread's CPU seconds fit the low half of tv_sec.)
    const cpu = this.#view.getUint32(LINE_BYTES, true) * 1e9 + this.#view.getUint32(LINE_BYTES + 8, true);
    if (this.fd < 0) return cpu;
    const waited = this.#readSchedstat(this.fd);
    return waited < 0 ? cpu : cpu + waited;
  }

  /** The second number of the schedstat line (ns runnable, waiting for a CPU); -1 when it cannot be read. */
  #readSchedstat(fd: number): number {
    const length = syscall(SYS_pread64, fd, this.#address, LINE_BYTES, 0);
    if (length <= 0) return -1;
    const bytes = this.#bytes;
    let value = 0;
    let numbers = 0;
    for (let i = 0; i < length; i++) {
      const digit = (bytes[i] as number) - DIGIT_0;
      if (digit >= 0 && digit <= 9) value = value * 10 + digit;
      else if (++numbers === 2) return value;
      else value = 0;
    }
    return -1;
  }
}
