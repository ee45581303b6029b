/**
 * Cachemiss threads that fail to start (split from pool-threads.ts): how many in a row did, why
 * (as an errno), and when the pool stops starting them again at once.
 *
 * A thread needs fds of its own to start (its event loop's epoll fd and eventfd, its script, koffi's
 * addon), and threads of the process's own: at the fd limit (EMFILE), the system's (ENFILE) or the
 * thread limit (EAGAIN) none can start. Each failure used to start a replacement at once: with
 * two kept threads failing in turn, one was always loading, so the pool never saw "no thread
 * alive" and never answered the chains waiting for one — they waited for ever while the pool
 * started and lost about a thousand threads a second on one core (syslet-aio/fs on the threads
 * engine at the fd limit).
 *
 * After {@link STARTS_BEFORE_GIVING_UP} failures in a row the pool tries again only once every
 * {@link RETRY_START_MS}, and answers a chain that no running thread can take at once. Not a start
 * per submission: each start at the limit costs a millisecond of CPU, and a thread that gets some
 * fds before it fails holds them while it loads — a program's own call made meanwhile fails with
 * EMFILE where it would have succeeded, and one made just after it exits succeeds where it would
 * have failed.
 */
import { readFileSync } from 'node:fs';
import { EAGAIN, EMFILE, ENFILE, ENOMEM, EPERM, errnoNumber, syscall } from './native/index.js';
import { NR } from './syscalls/nr.js';
import { EFD_CLOEXEC } from './syscalls/constants.generated.js';

const SYS_eventfd2 = NR.eventfd2;
const SYS_close = NR.close;
/**
 * How many fds a cachemiss thread needs free to start: measured on Node 20.20, a thread started
 * with 5 fds free and failed with 4 (its event loop's epoll fd and eventfd, its script, koffi's
 * addon, its busy clock).
 */
export const THREAD_START_FDS = 5;

/**
 * How many thread starts in a row must fail before the pool gives up starting them at once, and
 * answers the chains waiting for a thread when none is running. More than one: a single thread
 * can fail for its own reasons (terminated as it loaded) while the next one starts. One that
 * failed for want of fds (EMFILE, ENFILE) counts as all of them.
 */
export const STARTS_BEFORE_GIVING_UP = 3;
/**
 * How long after a failed start, once the pool has given up, it starts a thread again. Once fds
 * are to be had again, chains get a thread again at most this much later.
 */
export const RETRY_START_MS = 1000;

/** The pool's count of thread starts that failed in a row (JS thread). */
export class StartFailures {
  #inRow = 0;
  #errno = EAGAIN;
  /** When the pool may start a thread again (performance.now() ms) once it has given up. */
  #retryAt = 0;

  /** Starts that failed since a thread last started. */
  get inRow(): number {
    return this.#inRow;
  }

  /** Whether so many starts failed in a row that the pool stops starting threads at once. */
  get givenUp(): boolean {
    return this.#inRow >= STARTS_BEFORE_GIVING_UP;
  }

  /** holdsOff - whether the pool must not start a thread now (it has given up, and the retry time has not come). */
  holdsOff(now: number): boolean {
    return this.#inRow >= STARTS_BEFORE_GIVING_UP && now < this.#retryAt;
  }

  /**
   * The errno the chains that no thread can take are answered with: why the last start failed
   * (EMFILE at the fd limit, as a call that needs an fd answers there), or EAGAIN — glibc's answer
   * for a request whose helper thread cannot start — when the failure named none.
   */
  get errno(): number {
    return this.#errno;
  }

  /** started - a thread started (it is ready to take chains): the count begins again. */
  started(): void {
    this.#inRow = 0;
  }

  /** failed - a thread did not start; `error` is what its Worker reported (or threw), if anything. */
  failed(error: unknown): void {
    // A thread that went without a word (seen gone by the OS) while fds are to be had again keeps
    // the errno the last failure named.
    const errno = startErrno(error);
    if (error !== null || errno !== EAGAIN) this.#errno = errno;
    // For want of fds: no other thread now, which would take the fds this one gave back from a
    // program that is short of them (and, at the limit, fail the same way).
    this.#inRow = errno === EMFILE || errno === ENFILE ? Math.max(this.#inRow + 1, STARTS_BEFORE_GIVING_UP) : this.#inRow + 1;
    this.#retryAt = performance.now() + RETRY_START_MS;
  }

  /**
   * refused - no thread could even be made (no fds to be had, or `new Worker` threw): the pool
   * gives up at once, as nothing in it will start one (no thread exits to say so).
   * @param errno - why (EMFILE, ENFILE, EAGAIN).
   */
  refused(errno: number): void {
    this.#inRow = Math.max(this.#inRow + 1, STARTS_BEFORE_GIVING_UP);
    this.#errno = errno;
    this.#retryAt = performance.now() + RETRY_START_MS;
  }
}

/**
 * fdsShortForAThread - whether a thread could have the fds it needs to start: opens and closes
 * {@link THREAD_START_FDS} eventfds (ten syscalls, against a start's 50 ms of CPU).
 * @returns 0 when it could, else the errno the opens failed with (EMFILE, ENFILE).
 */
export function fdsShortForAThread(): number {
  const opened: number[] = [];
  let short = 0;
  for (let i = 0; i < THREAD_START_FDS; i++) {
    const fd = syscall(SYS_eventfd2, 0, EFD_CLOEXEC);
    if (fd < 0) {
      short = -fd === ENFILE ? ENFILE : EMFILE;
      break;
    }
    opened.push(fd);
  }
  for (const fd of opened) syscall(SYS_close, fd);
  return short;
}

/**
 * Address space a cachemiss thread needs to start: its V8 isolate reserves its code range and
 * heap when the Worker is made, and a reservation that fails ends the whole process (V8's "Failed
 * to reserve virtual memory for CodeRange", or std::bad_alloc: SIGABRT). Measured under RLIMIT_AS
 * (limits21, session 21): 32-128 MiB of headroom aborted, 256 MiB started.
 */
export const THREAD_ADDRESS_SPACE = 256 * 1024 * 1024;
const PAGE_BYTES = 4096;

/**
 * addressSpaceShortForAThread - whether RLIMIT_AS leaves a new thread less than
 * {@link THREAD_ADDRESS_SPACE} (the soft limit minus VmSize, both from /proc/self): then starting
 * one would abort the process, and the pool refuses instead. Read only when a thread is about to
 * start (two small reads, against a start's 50 ms of CPU).
 * @returns 0 when a thread fits (or the limit is unlimited or unreadable), else ENOMEM.
 */
export function addressSpaceShortForAThread(): number {
  let limit: number;
  let size: number;
  try {
    const line = /^Max address space\s+(\S+)/m.exec(readFileSync('/proc/self/limits', 'utf8'));
    if (line === null || line[1] === 'unlimited') return 0;
    limit = Number(line[1]);
    size = Number.parseInt(readFileSync('/proc/self/statm', 'utf8'), 10) * PAGE_BYTES;
  } catch {
    return 0;
  }
  return Number.isFinite(limit) && Number.isFinite(size) && limit - size < THREAD_ADDRESS_SPACE ? ENOMEM : 0;
}

let warnedThreadsDenied = false;

/**
 * Node's permission model (`--experimental-permission`, `--permission`) without `--allow-worker`
 * refuses every Worker: no cachemiss thread can start, and each call that needs one fails. Say
 * it once, with the flag, rather than leave a bare errno (hunt28: EAGAIN, and nothing printed
 * even under SYSLET_AIO_DEBUG). The calls fail with EPERM, the errno of an operation a policy
 * forbids; calls that complete inline or on the ring are not affected.
 */
function warnThreadsDenied(): void {
  if (warnedThreadsDenied) return;
  warnedThreadsDenied = true;
  process.emitWarning(
    "syslet-aio: Node's permission model denies worker threads, so no cachemiss thread can start: calls that would block and need one fail with EPERM. Run node with --allow-worker.",
    { code: 'SYSLET_AIO_THREADS_DENIED' },
  );
}

/**
 * startErrno - the errno a failed thread start names: an `EMFILE` code of the error Node's loader
 * threw in the thread (`open` of its script), or the errno name ending the message of a Worker
 * that could not be made (`ERR_WORKER_INIT_FAILED`: "Worker initialization failure: EMFILE");
 * EPERM (with a warning, once) for a Worker that Node's permission model denies (ERR_ACCESS_DENIED);
 * EAGAIN when there is none. Without an error (a thread the OS saw gone before its 'error' event
 * ran): EMFILE or ENFILE when a thread could not have its fds now, else EAGAIN.
 *
 * @param error - what the Worker's 'error' event carried, or what `new Worker` threw; null if none.
 * @returns a positive errno.
 */
export function startErrno(error: unknown): number {
  // A thread seen gone by the OS (threadGone) before its 'error' event: the fds say why, if they do.
  if (typeof error !== 'object' || error === null) return fdsShortForAThread() || EAGAIN;
  const { code, message } = error as { code?: unknown; message?: unknown };
  if (code === 'ERR_ACCESS_DENIED') {
    warnThreadsDenied();
    return EPERM;
  }
  if (typeof code === 'string') {
    const fromCode = errnoNumber(code);
    if (fromCode !== undefined) return fromCode;
  }
  if (typeof message === 'string') {
    const named = /\b(E[A-Z0-9]+)\s*$/.exec(message)?.[1];
    const fromMessage = named === undefined ? undefined : errnoNumber(named);
    if (fromMessage !== undefined) return fromMessage;
  }
  return EAGAIN;
}
