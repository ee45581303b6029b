import { Worker } from 'node:worker_threads';

/**
 * spinningThreads - `count` worker threads that spin on the CPU for up to `ms` milliseconds, so
 * that the thread under test is preempted (asked to reschedule) now and then: what makes
 * /dev/zero stop a read at a page, or lets another thread's step land between two of ours.
 *
 * @param count - how many threads spin (2 keeps both cores of the CI machine busy).
 * @param ms - the longest they spin: a bound in case `stop` is never reached.
 * @returns `stop`, which ends them (await it in a `finally`).
 */
export function spinningThreads(count: number, ms: number): { stop(): Promise<void> } {
  const workers = Array.from({ length: count }, () => new Worker(`const end = Date.now() + ${ms}; while (Date.now() < end) {}`, { eval: true }));
  return {
    async stop(): Promise<void> {
      await Promise.all(workers.map((worker) => worker.terminate()));
    },
  };
}
