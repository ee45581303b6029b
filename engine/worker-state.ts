/**
 * What a cachemiss thread publishes about itself in shared memory for the calling thread (exit
 * handling, death recovery), and the signal that interrupts it.
 */

/**
 * The signal that interrupts a cachemiss thread blocked in a syscall when the process exits or
 * the engine closes (Node joins worker threads at exit, and a thread blocked in read() on an
 * empty pipe would otherwise never return). SIGRTMAX is the least likely to collide with an
 * application's SIGRTMIN+n completion signals. The threads block every other signal meant for
 * the process (cachemiss-worker.ts).
 */
export const SYSLET_WAKE_SIGNAL = 64;

/**
 * The two real-time signals glibc keeps for itself: SIGCANCEL (32, pthread_cancel) and SIGSETXID
 * (33: setuid, setgid, setgroups… are per process, so glibc's `__nptl_setxid` signals every thread
 * to change its credentials and waits until each one has). glibc's sigprocmask and
 * pthread_sigmask never block them; a thread that blocks them with a raw rt_sigprocmask makes
 * every set*id call of the process wait for ever (hunt25), so no mask of ours may hold them.
 */
export const GLIBC_RESERVED_SIGNALS: readonly number[] = [32, 33];

/** What a cachemiss thread is doing, published for the caller (exit handling, death recovery). */
export const WORKER_STATE = {
  /** Int32 slots per worker. */
  stride: 12,
  tid: 0,
  /** 0 idle, 1 running a chain. */
  running: 1,
  token: 2,
  /** The token of the chain the pool is about to interrupt on this thread (-1: none); see Executor's kick. */
  kick: 3,
  /** Where the thread is in its life: a WORKER_PHASE value. */
  phase: 4,
  /** 1 while the thread is counted in the queue's LIVE counter (see ConsumerLedger). */
  live: 5,
  /** 1 while it is counted in IDLE (waiting in pop). */
  idle: 6,
  /** 1 while it holds one of the ACTIVE slots. */
  holding: 7,
  /**
   * The successor (token + 1; 0 none) it took from the link word of the chain it just ended, from
   * that moment until `token` names it: a thread that dies in between has it started by the pool.
   */
  taken: 8,
  /**
   * The fd of the thread's busy clock (cachemiss-clock.ts) plus 1 (0: none open): the pool closes
   * it once the thread has exited.
   */
  clockFd: 9,
  /** 1 while it polls the queue (counted in SPINNING). */
  spinning: 10,
  /**
   * The id of the thread's watchdog timer (cachemiss-watchdog.ts) plus 1 (0: none made): the
   * pool deletes it once the thread has exited, as it closes the clock's file.
   */
  watchdogTimer: 11,
} as const;

/** WORKER_STATE.phase values. */
export const WORKER_PHASE = {
  /**
   * Spawned; Node is starting it and its modules are not running yet (nothing native loaded): it
   * may be terminated, or withdrawn (below), at no risk.
   */
  loading: 1,
  /** Loaded: it may be terminated at any point from here on. */
  ready: 2,
  /**
   * Its modules are running: koffi's addon initialises and the thread's native blocks are made.
   * Terminating it now aborts the process (koffi throws into a terminating isolate, and napi_throw
   * is then fatal), so exit and terminateThread wait until it is ready.
   */
  native: 3,
  /**
   * Taken back by the exiting process while still `loading`: the thread's first module finds it so
   * and loads nothing native (engine/cachemiss-worker-claim.ts), so exit need not wait for it.
   */
  withdrawn: 4,
} as const;
