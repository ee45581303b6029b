/**
 * Signalling and stopping the cachemiss pool's threads (split from pool.ts, whose CachemissPool
 * methods of the same names call these): interrupt the thread running one chain, end one thread
 * as if it crashed, and stop them all — at close, waiting; at process exit, synchronously.
 */
import type { SubmissionQueue } from './submission-queue.js';
import { WORKER_PHASE, WORKER_STATE } from './worker-state.js';
import type { PoolThreads } from './pool-threads.js';

/**
 * How long process exit waits for threads whose modules run (koffi's addon initialises then, and
 * terminating a thread in the middle of that aborts the whole process).
 */
const EXIT_LOAD_WAIT_MS = 10_000;

/** isLoading - whether a thread in `phase` is still loading (Node starting it, or its modules running): not yet `ready`. */
function isLoading(phase: number): boolean {
  return phase === WORKER_PHASE.loading || phase === WORKER_PHASE.native;
}

/** interruptChain - signal the thread running the chain with `token`, if one is (see CachemissPool.interruptChain). @returns whether one was. */
export function interruptChain(threads: PoolThreads, token: number): boolean {
  let found = false;
  threads.slots.forEach((slot, index) => {
    const base = index * WORKER_STATE.stride;
    if (slot.worker === null || !threads.isRunning(index) || Atomics.load(threads.state, base + WORKER_STATE.token) !== token) return;
    // The thread may finish this chain and start another before the signal lands: the kick word
    // tells it the signal was not meant for the new one (see Executor).
    Atomics.store(threads.state, base + WORKER_STATE.kick, token);
    threads.interrupt(index);
    found = true;
  });
  return found;
}

/** terminateThread - end one running cachemiss thread as if it crashed (see CachemissPool.terminateThread). */
export async function terminateThread(threads: PoolThreads, index: number): Promise<boolean> {
  const slot = threads.slots.filter((candidate) => candidate.worker !== null)[index];
  if (slot?.worker == null) return false;
  const worker = slot.worker;
  const exited = slot.exited;
  // Not while it loads: terminating a thread as koffi's addon initialises aborts the whole
  // process (koffi throws into the terminating isolate), which a crash of a running thread never
  // does. The fd-limit tests end threads as the pool starts new ones, and a process aborted once
  // in a loaded CI run. Wait (bounded) until it is ready or gone.
  const phaseAt = threads.slots.indexOf(slot) * WORKER_STATE.stride + WORKER_STATE.phase;
  const loadDeadline = performance.now() + EXIT_LOAD_WAIT_MS;
  while (slot.worker === worker && isLoading(Atomics.load(threads.state, phaseAt)) && performance.now() < loadDeadline) {
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  if (slot.worker !== worker) return false;
  const terminating = worker.terminate();
  // A thread blocked in a call cannot be terminated until the call returns.
  threads.interrupt(threads.slots.indexOf(slot));
  await terminating;
  await exited;
  return true;
}

/** stopThreads - close's wait: interrupt the threads running a chain until every thread has exited (bounded). */
export async function stopThreads(threads: PoolThreads): Promise<void> {
  // Workers are unref'd so an idle pool never holds the process; while closing we wait for their
  // exit, so they must hold the event loop until then.
  for (const slot of threads.slots) slot.worker?.ref();
  const deadline = Date.now() + 2000;
  while (threads.slots.some((slot, index) => slot.worker !== null && threads.isRunning(index)) && Date.now() < deadline) {
    threads.slots.forEach((_, index) => threads.interrupt(index));
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  await Promise.all(threads.slots.map((slot) => slot.exited));
}

/** interruptForExit - (process 'exit') stop threads now, synchronously (see CachemissPool.interruptForExit). */
export function interruptForExit(threads: PoolThreads, queue: SubmissionQueue): void {
  queue.shutdown();
  const wait = new Int32Array(new SharedArrayBuffer(4));
  const loadDeadline = performance.now() + EXIT_LOAD_WAIT_MS;
  let blockedRounds = 0;
  for (;;) {
    let loading = false;
    let blocked = false;
    threads.slots.forEach((slot, index) => {
      if (slot.worker === null) return;
      const phaseAt = index * WORKER_STATE.stride + WORKER_STATE.phase;
      // A thread Node is still starting is withdrawn: it will load nothing native, and Node may
      // terminate it at once. One whose modules already run (koffi's addon) is waited for.
      const phase = Atomics.compareExchange(threads.state, phaseAt, WORKER_PHASE.loading, WORKER_PHASE.withdrawn);
      if (phase === WORKER_PHASE.native) loading = true;
      else if (threads.isRunning(index)) {
        blocked = true;
        threads.interrupt(index);
      }
    });
    if (loading && performance.now() < loadDeadline) {
      Atomics.wait(wait, 0, 0, 1);
      continue;
    }
    if (!blocked || ++blockedRounds > 200) return;
    Atomics.wait(wait, 0, 0, 1);
  }
}
