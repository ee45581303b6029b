/**
 * Starting one cachemiss thread (split from pool-threads.ts, which decides when and in which
 * slot): its state words reset, the data it is handed, its Worker made without the main thread's
 * loader, and the Worker's events turned into the pool's {@link ThreadStartHooks}.
 */
import { Worker } from 'node:worker_threads';
import { thisWorkerThread, THREAD_RESOURCE_LIMITS, workerEnv } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import type { Policy, TraceRecord } from './policy.js';
import { KICK_NONE, type ChainTable } from './executor.js';
import type { CompletionQueue } from './completion-queue.js';
import type { SubmissionQueue } from './submission-queue.js';
import { WORKER_PHASE, WORKER_STATE } from './worker-state.js';
import type { CachemissWorkerData } from './cachemiss-worker.js';
import { cachemissWorkerEntry } from './cachemiss-entry.js';
import type { PoolOptions } from './pool-options.js';

/** What every thread of one pool is handed, beside its slot and completion queue. */
export interface ThreadStartShared {
  readonly memory: MemoryRegistry;
  readonly policy: Policy;
  readonly queue: SubmissionQueue;
  readonly chains: ChainTable;
  readonly next: Int32Array;
  /** The threads' state words (WORKER_STATE per slot, then the kept count at `keepIndex`). */
  readonly state: Int32Array;
  readonly currentAtoms: Float64Array;
  readonly eventfd: number;
  readonly keepIndex: number;
}

/** What the pool does with a thread's events (each called on the pool's JS thread). */
export interface ThreadStartHooks {
  /** The thread has loaded and can take chains. */
  ready(): void;
  /** The policy denied one of its calls. */
  deny(record: TraceRecord): void;
  /**
   * Its Worker exited. `started`: it had reached WORKER_PHASE.ready; otherwise `startError` is the
   * error event that came before (null when none did) and says why it could not start.
   */
  exited(worker: Worker, started: boolean, startError: unknown): void;
}

/**
 * resetThreadState - the state words of slot `index` as a thread about to load finds them: all
 * zero but the kick word (none) and the phase (loading).
 */
export function resetThreadState(state: Int32Array, index: number): void {
  const base = index * WORKER_STATE.stride;
  for (let i = 0; i < WORKER_STATE.stride; i++) Atomics.store(state, base + i, 0);
  Atomics.store(state, base + WORKER_STATE.kick, KICK_NONE);
  Atomics.store(state, base + WORKER_STATE.phase, WORKER_PHASE.loading);
}

/**
 * startThreadWorker - make the Worker of slot `index` and hook its events.
 * @returns the Worker, unref'd (an idle thread must not keep the process alive).
 * @throws what `new Worker` throws when no thread can be made (ERR_WORKER_INIT_FAILED at the
 *   thread limit; the bundle from sources).
 */
export function startThreadWorker(index: number, completions: CompletionQueue, options: PoolOptions, shared: ThreadStartShared, hooks: ThreadStartHooks): Worker {
  const state = shared.state;
  const base = index * WORKER_STATE.stride;
  const data: CachemissWorkerData = {
    slot: index,
    regions: shared.memory.shared.buffer,
    policy: shared.policy.shared,
    queue: shared.queue.buffers,
    completions: completions.buffers,
    state: state.buffer as SharedArrayBuffer,
    currentAtoms: shared.currentAtoms.buffer as SharedArrayBuffer,
    eventfd: shared.eventfd,
    idleMs: options.idleMs,
    keepIndex: shared.keepIndex,
    options: options.executor,
    chains: {
      first: shared.chains.first.buffer as SharedArrayBuffer,
      executed: shared.chains.executed.buffer as SharedArrayBuffer,
      cancel: shared.chains.cancel.buffer as SharedArrayBuffer,
    },
    next: shared.next.buffer as SharedArrayBuffer,
    owner: thisWorkerThread(),
    ownThread: true,
  };
  // Plain JavaScript, no inherited loader: `execArgv: []` drops `--import tsx` and the like,
  // and the environment is the process's without NODE_OPTIONS' loaders (a worker applies
  // NODE_OPTIONS again). Under tsx each thread would otherwise start the loader (seconds).
  const worker = new Worker(cachemissWorkerEntry(), { workerData: data, execArgv: [], env: workerEnv(), resourceLimits: THREAD_RESOURCE_LIMITS });
  let startError: unknown = null;
  worker.on('message', (message: { type: string; record?: TraceRecord }) => {
    if (message.type === 'ready') hooks.ready();
    else if (message.type === 'deny' && message.record !== undefined) hooks.deny(message.record);
  });
  worker.on('error', (error) => {
    if (process.env.SYSLET_AIO_DEBUG === '1') console.error('cachemiss thread error:', error);
    // The 'exit' hook does the recovery; an error event alone changes nothing. One before the
    // thread was ready says why it could not start (EMFILE at the fd limit).
    if (Atomics.load(state, base + WORKER_STATE.phase) !== WORKER_PHASE.ready) startError = error;
  });
  // An idle thread must not keep the process alive; the engine's eventfd watcher does that
  // while chains are in flight. unref() comes after the listeners: adding a 'message' listener
  // refs the worker's port again.
  worker.unref();
  worker.once('exit', () => hooks.exited(worker, Atomics.load(state, base + WORKER_STATE.phase) === WORKER_PHASE.ready, startError));
  return worker;
}
