/**
 * The first module a cachemiss thread runs, before any other of the worker's modules (koffi's
 * addon among them) is evaluated: it moves the thread's phase from `loading` to `native` — unless
 * the exiting process has already moved it to `withdrawn`, in which case the thread loads nothing
 * native and ends.
 *
 * Why: at process exit Node terminates every worker, and a cachemiss thread terminated while
 * koffi's addon initialises aborts the whole process (napi_throw into a terminating isolate), so
 * the pool's exit handler waits for threads that are loading. Without this claim it could not
 * tell a thread still in Node's own start-up (tens of milliseconds on an idle machine, hundreds
 * on a loaded one, all safe to terminate) from one inside koffi, and a short script on the
 * threads engine spent ~230 ms of its exit (~120 ms of CPU) waiting for threads it never used.
 * With the compare-and-exchange on the same word as the exit handler's, exactly one side wins:
 * the thread goes on loading and exit waits for the short native part only, or the exit handler
 * withdrew it and it never touches koffi.
 */
import { workerData } from 'node:worker_threads';
import { WORKER_PHASE, WORKER_STATE } from './worker-state.js';

const data = workerData as { readonly state: SharedArrayBuffer; readonly slot: number };
const phaseAt = data.slot * WORKER_STATE.stride + WORKER_STATE.phase;
if (Atomics.compareExchange(new Int32Array(data.state), phaseAt, WORKER_PHASE.loading, WORKER_PHASE.native) !== WORKER_PHASE.loading) {
  // The process is exiting (only its exit handler withdraws a thread): end before koffi loads.
  // The error ends the thread; the exiting pool listens to no event any more.
  throw new Error('syslet-aio: cachemiss thread withdrawn at process exit before it loaded');
}
