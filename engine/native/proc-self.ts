/**
 * Whether /proc is this process's own: mounted for the pid namespace the process lives in.
 *
 * Why it matters: a process started in a new pid namespace without a /proc of its own
 * (`unshare --pid --fork` without `--mount-proc`, some sandboxes) sees the parent namespace's
 * /proc, where /proc/self and /proc/self/task/* carry the parent's pids and tids, while getpid()
 * and gettid() give its own. Any code that looks a thread up by its gettid() there finds nothing,
 * or another thread (hunt25: the record of terminated workers' fds took every live worker for
 * ended and closed their rings; the process then died of SIGSEGV at exit, 10 of 10 runs).
 * /proc/self names this process's pid exactly when /proc is its own. Node cannot fork without
 * exec, so the answer never changes under a process.
 */
import { readlinkSync } from 'node:fs';

let answer: boolean | undefined;

/**
 * procIsThisProcess - whether /proc/self is `process.pid` (asked once per thread).
 *
 * @returns false also when /proc cannot be read at all.
 * @example if (!procIsThisProcess()) return null; // tids from gettid() are not /proc's
 */
export function procIsThisProcess(): boolean {
  if (answer === undefined) {
    try {
      answer = readlinkSync('/proc/self') === String(process.pid);
    } catch {
      answer = false;
    }
  }
  return answer;
}
