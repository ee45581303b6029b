/**
 * A cachemiss thread: a worker_thread running the same executor as the calling thread, in
 * blocking mode. It takes chains from the shared submission queue, runs them from the atom where
 * the caller handed off, publishes the outcome in its completion queue and pokes the caller's
 * eventfd so the event loop wakes. It exits after `idleMs` without work.
 */
// First: claims the thread's phase before any module loads koffi (see the module).
import './cachemiss-worker-claim.js';
import { parentPort, workerData } from 'node:worker_threads';
import { allocNative, holdForThread, syscall, THREAD_RESOURCE, type ThreadIdentity } from './native/index.js';
import { MemoryRegistry } from './memory.js';
import { Policy } from './policy.js';
import { Executor, newOutcome } from './executor.js';
import { CompletionQueue, type CompletionQueueBuffers } from './completion-queue.js';
import { SubmissionQueue, type ConsumerLedger, type Job, type SubmissionQueueBuffers } from './submission-queue.js';
import { GLIBC_RESERVED_SIGNALS, SYSLET_WAKE_SIGNAL, WORKER_PHASE, WORKER_STATE } from './worker-state.js';
import type { ExecutorOptions } from './executor.js';
import { NR } from './syscalls/nr.js';
import { CLOCK_BYTES, ThreadBusyClock } from './cachemiss-clock.js';
import { CallWatchdog } from './cachemiss-watchdog.js';
import { SIG_BLOCK } from './syscalls/constants.generated.js';

/** What the pool hands each cachemiss thread. */
export interface CachemissWorkerData {
  readonly slot: number;
  readonly regions: SharedArrayBuffer;
  readonly policy: SharedArrayBuffer;
  readonly queue: SubmissionQueueBuffers;
  readonly completions: CompletionQueueBuffers;
  readonly state: SharedArrayBuffer;
  readonly currentAtoms: SharedArrayBuffer;
  readonly eventfd: number;
  readonly idleMs: number;
  /**
   * Where in `state` the pool keeps how many threads stay alive when idle: this one exits after
   * idleMs only while more than that are alive.
   */
  readonly keepIndex: number;
  readonly options: Omit<ExecutorOptions, 'onDeny' | 'cancelFlag' | 'chains' | 'kick'>;
  /** The per-chain table's buffers (see ChainTable): first atoms, executed masks, cancel flags. */
  readonly chains: { readonly first: SharedArrayBuffer; readonly executed: SharedArrayBuffer; readonly cancel: SharedArrayBuffer };
  /** Per token, the successor to run when that chain ends (token + 1; see CachemissPool.submitAfter). */
  readonly next: SharedArrayBuffer;
  /** The worker thread that owns the pool (null: the main thread), in whose name the clock file is recorded. */
  readonly owner: ThreadIdentity | null;
  /** Always true: engine/native/libc.ts gives this thread koffi's small call memory (OWN_THREAD_KOFFI_CONFIG). */
  readonly ownThread: true;
}

const SYS_write = NR.write;
const SYS_gettid = NR.gettid;
const SYS_rt_sigprocmask = NR.rt_sigprocmask;
/**
 * The signals a cachemiss thread blocks: every one but the pool's wake signal (it interrupts the
 * thread's call on purpose) and those that report a fault of the thread itself (SIGILL, SIGTRAP,
 * SIGABRT, SIGBUS, SIGFPE, SIGSEGV, SIGSYS; V8's trap handler takes SIGSEGV). A signal sent to
 * the process (SIGCHLD from child_process, SIGWINCH, SIGUSR1/2) is for the JS thread's handlers;
 * taken here, it interrupted the chain's call where SA_RESTART does not restart it (nanosleep,
 * clock_nanosleep, ppoll, epoll_wait: -EINTR), an answer the same chain never gets on io_uring.
 * glibc's AIO helper threads block every signal for the same reason, through pthread_sigmask,
 * which leaves glibc's own two (GLIBC_RESERVED_SIGNALS) unblocked: so must this raw mask, or
 * process.setuid() and every other set*id call waits for ever for a cachemiss thread.
 */
const UNBLOCKED = [SYSLET_WAKE_SIGNAL, 4, 5, 6, 7, 8, 11, 31, ...GLIBC_RESERVED_SIGNALS];
const BLOCKED_MASK = UNBLOCKED.reduce((mask, signo) => mask & ~(1n << BigInt(signo - 1)), (1n << 64n) - 1n);
/**
 * The governor wants, beside each chain's service time, how much of it the thread was not blocked
 * (cachemiss-clock.ts); reading that is two syscalls (a pread64 of schedstat, a clock_gettime),
 * so only every 8th chain is sampled, and each of a thread's first 32 chains, so the governor
 * sees samples from the start. While the thread's chains are short (its average service time
 * under CPU_SAMPLE_SHORT_NS) only every 64th: the governor does not look at the figure for chains
 * under 30 µs (CachemissThreads.govern), and every 8th cost P5's 4 KiB writes (~3 µs a chain) a
 * quarter of a pread64 and of a clock_gettime per write.
 */
const CPU_SAMPLE_EVERY = 8;
const CPU_SAMPLE_EVERY_SHORT = 64;
const CPU_SAMPLE_SHORT_NS = 10_000;
/** The weight of the latest chain in the thread's average service time. */
const SERVICE_WEIGHT = 1 / 16;
const CPU_SAMPLE_FIRST = 32;
/** `performance` read once: by name it is a lazy accessor on globalThis, a global load IC per use. */
const timer = performance;
const SHUTDOWN_INDEX = 2;
/** pool.ts SEALED: the chain has ended; a successor linked from now on is queued instead. */
const SEALED = -1;
/**
 * How long a thread that finds the queue empty polls it before it sleeps (one thread at a time):
 * see SubmissionQueue.spin.
 */
const SPIN_MS = 0.05;
/** How long a kept idle thread waits before it looks again whether it may leave. */
const KEPT_THREAD_WAIT_MS = 10_000;

function main(data: CachemissWorkerData): void {
  const state = new Int32Array(data.state);
  const base = data.slot * WORKER_STATE.stride;
  const ledger: ConsumerLedger = { array: state, base };
  const memory = new MemoryRegistry({ buffer: data.regions });
  const policy = new Policy(data.policy);
  const queue = new SubmissionQueue(data.queue);
  const currentAtoms = new Float64Array(data.currentAtoms);
  const watchdog = new CallWatchdog((id, tid) => {
    // The pool deletes it; if its worker is terminated first, another thread does (thread-resources.ts).
    // (The thread it signals in the size word: letGo matches kind, id and address, and the pool has no tid to give.)
    if (data.owner !== null) holdForThread(data.owner, THREAD_RESOURCE.signalTimer, id, 0, tid);
    Atomics.store(state, base + WORKER_STATE.watchdogTimer, id + 1);
  });
  const executor = new Executor(memory, policy, 'cachemiss', {
    ...data.options,
    cancelFlag: { array: queue.control, index: SHUTDOWN_INDEX },
    progress: { array: currentAtoms, index: data.slot },
    chains: { first: new Float64Array(data.chains.first), executed: new Int32Array(data.chains.executed), cancel: new Int32Array(data.chains.cancel) },
    kick: { array: state, index: base + WORKER_STATE.kick },
    watchdog,
    onDeny: (record) => parentPort?.postMessage({ type: 'deny', record }),
  });
  const completions = new CompletionQueue(data.completions);
  const first = new Float64Array(data.chains.first);
  const next = new Int32Array(data.next);
  Atomics.store(state, base + WORKER_STATE.tid, syscall(SYS_gettid));
  // One block for the thread's life: the eventfd's 1, the signal mask, then the busy clock's buffers.
  const one = allocNative(16 + CLOCK_BYTES, 8);
  new DataView(one.buffer).setBigUint64(8, BLOCKED_MASK, true);
  syscall(SYS_rt_sigprocmask, SIG_BLOCK, one.address + 8, 0, 8);
  new DataView(one.buffer).setBigUint64(0, 1n, true);
  const clock = new ThreadBusyClock(one, 16);
  if (clock.fd >= 0) {
    // The pool closes it; if its worker is terminated first, another thread does (thread-resources.ts).
    if (data.owner !== null) holdForThread(data.owner, THREAD_RESOURCE.schedstat, clock.fd);
    Atomics.store(state, base + WORKER_STATE.clockFd, clock.fd + 1);
  }
  let chainsRun = 0;
  // This thread's average chain service time, ns (see CPU_SAMPLE_SHORT_NS).
  let serviceNs = 0;
  // Every module is loaded (koffi's addon included) and every native block this thread needs is
  // made (the executor's private block, the eventfd word): from here on, terminating it at
  // process exit cannot land inside a koffi call that builds a JS value — koffi would then throw
  // into a terminating isolate, and napi_throw aborts the process (issue 14 item 3). The pool's
  // exit handler waits for threads before this point.
  Atomics.store(state, base + WORKER_STATE.phase, WORKER_PHASE.ready);
  // The pool starts the next thread when this one is ready (threads load one per core at a time;
  // the pool counts them from the phase word, and this message makes it look again).
  parentPort?.postMessage({ type: 'ready' });
  const job: Job = { atom: 0, token: 0, atomsBefore: 0 };
  const out = newOutcome();
  // An active slot first: when chains are short and CPU-bound, the engine lets only as many
  // threads run as there are cores, and the others wait for a slot (see Engine's governor). A
  // thread keeps its slot from chain to chain, so busy threads do not hand it back and forth.
  let holding = false;
  // Whether `job` holds the successor of the chain just ended (taken from `next`): this thread
  // runs it at once, as glibc's helper takes its fd's next request, even past the active bound.
  let chained = false;
  // A kept thread (one the pool wants alive even when idle) re-checks only now and then.
  let wait = data.idleMs;
  // Whether this thread counted itself idle as it ended its last chain (SubmissionQueue.countIdle).
  let idleCounted = false;
  for (;;) {
    if (!chained) {
      if (!holding) holding = queue.acquireActive(wait, ledger);
      const counted = idleCounted;
      idleCounted = false;
      if (!holding || !queue.pop(job, wait, ledger, SPIN_MS, counted)) {
        // Idle for its idle time (or shutting down): no more watchdog signals while it waits.
        watchdog.stop();
        if (holding) queue.releaseActive(ledger);
        holding = false;
        if (queue.shuttingDown) {
          queue.countLive(-1, ledger);
          break;
        }
        // Idle: leave unless the pool keeps this thread, or work arrived between the timeout and now.
        if (!queue.retire(Atomics.load(state, data.keepIndex), ledger)) {
          wait = Math.max(data.idleMs, KEPT_THREAD_WAIT_MS);
          continue;
        }
        if (queue.length === 0) break;
        queue.countLive(1, ledger);
        continue;
      }
    }
    wait = data.idleMs;
    const started = timer.now();
    currentAtoms[data.slot * 2] = job.atom;
    currentAtoms[data.slot * 2 + 1] = 0;
    Atomics.store(state, base + WORKER_STATE.token, job.token);
    Atomics.store(state, base + WORKER_STATE.running, 1);
    // (After `running`: the exit handler waits for a running thread, and sync() may make views of
    // new regions through koffi, which must not be cut short by termination.)
    memory.sync();
    const sampled = chainsRun < CPU_SAMPLE_FIRST || chainsRun % (serviceNs < CPU_SAMPLE_SHORT_NS ? CPU_SAMPLE_EVERY_SHORT : CPU_SAMPLE_EVERY) === 0;
    chainsRun++;
    const busyBefore = sampled ? clock.busyNs() : 0;
    executor.run(job.atom, out, job.atomsBefore, null, job.token);
    // (At least 1 when sampled: 0 says "not sampled".)
    const busyNs = sampled ? Math.max(1, clock.busyNs() - busyBefore) : 0;
    // Sealed before the completion is published: once the calling thread has seen it, the token
    // may be reused, and its next word with it.
    const successor = Atomics.exchange(next, job.token, SEALED) - 1;
    if (successor >= 0) Atomics.store(state, base + WORKER_STATE.taken, successor + 1);
    // Only a slot this thread holds: one that gave it back after a chain and ran that chain's
    // successor (below, without a slot) has none, and giving one back again would let more
    // threads run at once than the bound says.
    if (holding && queue.overActive()) {
      queue.releaseActive(ledger);
      holding = false;
    }
    // A thread that will look at the queue next counts itself idle before its completion is out:
    // the producer, woken by that completion, pushes the next chain at once, and must see a
    // thread to notify rather than wake one waiting for a slot (SubmissionQueue.countIdle).
    if (successor < 0 && holding) {
      queue.countIdle(ledger);
      idleCounted = true;
    }
    // `running` drops only once the completion is published, with no function call in between
    // (see ConsumerLedger): a thread terminated before that has its chain finished by the pool
    // as died, one terminated after it has delivered it — never both, never neither.
    const service = (timer.now() - started) * 1e6;
    completions.push(job.token, out.last, out.result, out.atoms, out.stop, service, busyNs);
    serviceNs += (service - serviceNs) * SERVICE_WEIGHT;
    chained = successor >= 0;
    if (chained) {
      // The successor is this thread's from the moment the completion is out, again with no
      // function call in between: `running` stays 1 and names it (at its first atom), so a thread
      // terminated from here on has the successor finished as died, never lost.
      job.atom = first[successor] as number;
      job.token = successor;
      job.atomsBefore = 0;
      currentAtoms[data.slot * 2] = job.atom;
      currentAtoms[data.slot * 2 + 1] = 0;
      Atomics.store(state, base + WORKER_STATE.token, successor);
      Atomics.store(state, base + WORKER_STATE.taken, 0);
    } else {
      Atomics.store(state, base + WORKER_STATE.running, 0);
    }
    // One eventfd write per sleep of the calling thread, not per completion: while it is awake
    // and draining, it will see this completion anyway.
    if (queue.takeWake()) syscall(SYS_write, data.eventfd, one.address, 8);
    // A successor has run nothing inline: it starts at its first atom, at once, as glibc's helper
    // takes its fd's next request. During a shutdown it runs too, and stops before that atom as
    // cancelled (the executor checks the flag first).
  }
}

main(workerData as CachemissWorkerData);
