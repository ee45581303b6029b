/**
 * A cachemiss thread: a worker_thread running the same executor as the calling thread, in
 * blocking mode. It takes chains from the shared submission queue, runs them from the atom where
 * the caller handed off, publishes the outcome in its completion queue and pokes the caller's
 * eventfd so the event loop wakes. It exits after `idleMs` without work.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { allocNative, syscall } from './native/index.js';
import { MemoryRegistry } from './memory.js';
import { Policy } from './policy.js';
import { Executor, newOutcome } from './executor.js';
import { CompletionQueue, SubmissionQueue, WORKER_STATE, type CompletionQueueBuffers, type Job, type SubmissionQueueBuffers } from './queues.js';
import type { ExecutorOptions } from './executor.js';
import { NR } from './syscalls/nr.js';

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
  readonly options: Omit<ExecutorOptions, 'onDeny' | 'cancelFlag' | 'chains' | 'kick'>;
  /** The per-chain table's buffers (see ChainTable): first atoms, executed masks, cancel flags. */
  readonly chains: { readonly first: SharedArrayBuffer; readonly executed: SharedArrayBuffer; readonly cancel: SharedArrayBuffer };
  /** Per token, the successor to run when that chain ends (token + 1; see CachemissPool.submitAfter). */
  readonly next: SharedArrayBuffer;
}

const SYS_write = NR.write;
const SYS_gettid = NR.gettid;
const SHUTDOWN_INDEX = 2;
/** pool.ts SEALED: the chain has ended; a successor linked from now on is queued instead. */
const SEALED = -1;

function main(data: CachemissWorkerData): void {
  const memory = new MemoryRegistry({ buffer: data.regions });
  const policy = new Policy(data.policy);
  const queue = new SubmissionQueue(data.queue);
  const currentAtoms = new Float64Array(data.currentAtoms);
  const state = new Int32Array(data.state);
  const base = data.slot * WORKER_STATE.stride;
  const executor = new Executor(memory, policy, 'cachemiss', {
    ...data.options,
    cancelFlag: { array: queue.control, index: SHUTDOWN_INDEX },
    progress: { array: currentAtoms, index: data.slot },
    chains: { first: new Float64Array(data.chains.first), executed: new Int32Array(data.chains.executed), cancel: new Int32Array(data.chains.cancel) },
    kick: { array: state, index: base + WORKER_STATE.kick },
    onDeny: (record) => parentPort?.postMessage({ type: 'deny', record }),
  });
  const completions = new CompletionQueue(data.completions);
  const first = new Float64Array(data.chains.first);
  const next = new Int32Array(data.next);
  const one = allocNative(8, 8);
  new DataView(one.buffer).setBigUint64(0, 1n, true);
  // Published last: a thread with a tid has loaded every module (koffi's addon included) and made
  // its native blocks, so terminating it at process exit can no longer land inside the addon's
  // initialisation (see CachemissPool.interruptForExit).
  Atomics.store(state, base + WORKER_STATE.tid, syscall(SYS_gettid));
  const job: Job = { atom: 0, token: 0, atomsBefore: 0 };
  const out = newOutcome();
  // An active slot first: when chains are short and CPU-bound, the engine lets only as many
  // threads run as there are cores, and the others wait for a slot (see Engine's governor). A
  // thread keeps its slot from chain to chain, so busy threads do not hand it back and forth.
  let holding = false;
  // Whether `job` holds the successor of the chain just ended (taken from `next`): this thread
  // runs it at once, as glibc's helper takes its fd's next request, even past the active bound.
  let chained = false;
  for (;;) {
    if (!chained) {
      if (!holding) holding = queue.acquireActive(data.idleMs);
      if (!holding || !queue.pop(job, data.idleMs)) {
        if (holding) queue.releaseActive();
        holding = false;
        // Idle or shutting down. Leave, unless work arrived between the timeout and now.
        queue.countLive(-1);
        if (queue.shuttingDown || queue.length === 0) break;
        queue.countLive(1);
        continue;
      }
    }
    const started = performance.now();
    memory.sync();
    currentAtoms[data.slot * 2] = job.atom;
    currentAtoms[data.slot * 2 + 1] = 0;
    Atomics.store(state, base + WORKER_STATE.token, job.token);
    Atomics.store(state, base + WORKER_STATE.running, 1);
    executor.run(job.atom, out, job.atomsBefore, null, job.token);
    // Sealed before the completion is published: once the calling thread has seen it, the token
    // may be reused, and its next word with it.
    const successor = Atomics.exchange(next, job.token, SEALED) - 1;
    Atomics.store(state, base + WORKER_STATE.running, 0);
    if (queue.overActive()) {
      queue.releaseActive();
      holding = false;
    }
    completions.push(job.token, out.last, out.result, out.atoms, out.stop, (performance.now() - started) * 1e6);
    // One eventfd write per sleep of the calling thread, not per completion: while it is awake
    // and draining, it will see this completion anyway.
    if (queue.takeWake()) syscall(SYS_write, data.eventfd, one.address, 8);
    chained = successor >= 0;
    if (chained) {
      // A successor has run nothing inline: it starts at its first atom. During a shutdown it
      // runs too, and stops before that atom as cancelled (the executor checks the flag first).
      job.atom = first[successor] as number;
      job.token = successor;
      job.atomsBefore = 0;
    }
  }
}

main(workerData as CachemissWorkerData);
