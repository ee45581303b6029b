/**
 * A cachemiss thread's watchdog: a POSIX timer that signals the thread (SYSLET_WAKE_SIGNAL,
 * SIGEV_THREAD_ID) every {@link WATCHDOG_PERIOD_MS} while it may be blocked in a read of a FIFO or
 * a socket, so that no such read keeps it in the kernel for longer than that without its
 * JavaScript running once.
 *
 * Why: `worker.terminate()` on a worker whose engine has a cachemiss thread blocked in read(2) on
 * an empty FIFO (or a socket nobody writes to) never resolved, and the process could
 * not exit either: Node stops a terminated worker's own sub-workers (the cachemiss threads) and
 * joins them, and a thread in a syscall never returns to the JavaScript where the stop takes
 * effect. The terminated worker runs none of its JavaScript, so its pool cannot interrupt them
 * (as it does at process exit); nothing outside the kernel is left to do it. With the watchdog
 * the call returns -EINTR within a period, the thread's JavaScript runs, and either Node stops
 * it there or the executor makes the call again (Executor: a -EINTR while the timer ran, in a
 * chain nobody cancelled). The timer runs only during calls the kernel interrupts before
 * anything moved (SyscallSpec.watchdog), so that making one again is exactly what SA_RESTART
 * would make the kernel do: reads at the file position of a FIFO or a socket (asked of the kernel
 * with fstat each time), socket reads without MSG_WAITALL, accept4. Everything else that may
 * block runs with it off: a signal cuts a write to a pipe or a socket, a splice or a long read of
 * /dev/zero short after some bytes (an answer the uninterrupted call never gives: 20 of 32 MiB
 * under load), and makes a sleep, ppoll or connect answer EINTR. So a terminated worker whose
 * thread is blocked in a write to a full pipe, a FIFO's open or a ppoll still waits (as Node's
 * own fs does for all of them).
 *
 * Cost: one fstat before a read at the file position on a cachemiss thread, and a timer_settime
 * when the timer must start or stop (it stays running from one stream read to the next); none
 * for positional reads, writes and the other calls, which never start it.
 */
import { allocNative, letGo, releaseNative, syscall, THREAD_RESOURCE, type NativeBlock, type Word } from './native/index.js';
import { fileTypeOf } from './fd-type.js';
import { NR } from './syscalls/nr.js';
import { SIGEVENT } from './syscalls/aio-abi.js';
import { STRUCT_SIZES } from './syscalls/table.js';
import { CLOCK_MONOTONIC, S_IFIFO, S_IFSOCK, SIGEV_THREAD_ID } from './syscalls/constants.generated.js';
import { SYSLET_WAKE_SIGNAL, WORKER_STATE } from './worker-state.js';
import type { CallWatchdogPort } from './executor-types.js';

/** How often the timer interrupts a blocked call (ms): also how long a terminate() waits for it. */
export const WATCHDOG_PERIOD_MS = 100;

const SYS_timer_create = NR.timer_create;
const SYS_timer_settime = NR.timer_settime;
const SYS_gettid = NR.gettid;
const ITIMERSPEC_BYTES = 2 * STRUCT_SIZES.timespec;
// The block: the running itimerspec, the stopped one (zeros), the created timer's id, the sigevent.
const RUNNING_AT = 0;
const STOPPED_AT = ITIMERSPEC_BYTES;
const ID_AT = 2 * ITIMERSPEC_BYTES;
const SIGEVENT_AT = ID_AT + 8;

/** Whether the thread's timer runs, or why it does not. */
const TimerState = { none: 0, stopped: 1, running: 2, unavailable: 3 } as const;

/**
 * One cachemiss thread's watchdog timer (made on first use, by that thread; deleted by the pool
 * once the thread has exited: {@link deleteWatchdogTimer}).
 */
export class CallWatchdog implements CallWatchdogPort {
  readonly #made: (id: number, tid: number) => void;
  #block: NativeBlock | null = null;
  #id = -1;
  #state: number = TimerState.none;

  /**
   * @param made - called once the thread's timer exists, with its id and the thread's tid: the
   * timer outlives a thread that Node stops without its JavaScript, so the pool deletes it when
   * the thread has exited (and, for a worker's pool, thread-resources.ts if the worker is
   * terminated first).
   */
  constructor(made: (id: number, tid: number) => void) {
    this.#made = made;
  }

  /** Whether the timer runs now: a -EINTR of the call just made may be its (see Executor). */
  get running(): boolean {
    return this.#state === TimerState.running;
  }

  /**
   * before - (the thread, just before a call that may block) run the timer during the call
   * (`runs`: one it may interrupt, SyscallSpec.watchdog), or stop it.
   */
  before(runs: boolean): void {
    if (runs) {
      if (this.#state !== TimerState.running && this.#state !== TimerState.unavailable) this.#set(true);
    } else if (this.#state === TimerState.running) {
      this.#set(false);
    }
  }

  /** isStream - whether `fd` is a FIFO or a socket now (fstat; false when it is not an fd). */
  isStream(fd: Word): boolean {
    const type = fileTypeOf(fd);
    return type === S_IFIFO || type === S_IFSOCK;
  }

  /** stop - the thread goes idle: no signals while it waits for work. */
  stop(): void {
    if (this.#state === TimerState.running) this.#set(false);
  }

  #set(running: boolean): void {
    if (this.#state === TimerState.none && !this.#create()) {
      this.#state = TimerState.unavailable;
      return;
    }
    const block = this.#block as NativeBlock;
    // On failure the thread goes on without a watchdog, as before it had one.
    if (syscall(SYS_timer_settime, this.#id, 0, block.address + (running ? RUNNING_AT : STOPPED_AT), 0) < 0) {
      this.#state = TimerState.unavailable;
      return;
    }
    this.#state = running ? TimerState.running : TimerState.stopped;
  }

  #create(): boolean {
    const block = allocNative(SIGEVENT_AT + SIGEVENT.size, 8);
    const view = new DataView(block.buffer);
    const periodNs = BigInt(WATCHDOG_PERIOD_MS) * 1_000_000n;
    // it_interval then it_value, each { tv_sec, tv_nsec } (both under a second here).
    view.setBigInt64(RUNNING_AT + 8, periodNs, true);
    view.setBigInt64(RUNNING_AT + STRUCT_SIZES.timespec + 8, periodNs, true);
    view.setInt32(SIGEVENT_AT + SIGEVENT.sigev_signo, SYSLET_WAKE_SIGNAL, true);
    view.setInt32(SIGEVENT_AT + SIGEVENT.sigev_notify, SIGEV_THREAD_ID, true);
    const tid = syscall(SYS_gettid);
    view.setInt32(SIGEVENT_AT + SIGEVENT.sigev_notify_thread_id, tid, true);
    if (syscall(SYS_timer_create, CLOCK_MONOTONIC, block.address + SIGEVENT_AT, block.address + ID_AT) < 0) {
      releaseNative(block);
      return false;
    }
    this.#block = block;
    this.#id = view.getInt32(ID_AT, true);
    this.#made(this.#id, tid);
    return true;
  }
}

/**
 * deleteWatchdogTimer - (the pool, once the thread whose state words start at `base` has exited)
 * delete its watchdog timer, if it made one, and drop the timer's record.
 */
export function deleteWatchdogTimer(state: Int32Array, base: number): void {
  const id = Atomics.exchange(state, base + WORKER_STATE.watchdogTimer, 0) - 1;
  if (id < 0) return;
  letGo(THREAD_RESOURCE.signalTimer, id);
  syscall(NR.timer_delete, id);
}
