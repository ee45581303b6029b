/**
 * The name of the directory of this process's fds in procfs, which realpath reads the name of an
 * O_PATH fd from (fs/links.ts inline, fs/link-batch.ts in batches).
 */
import { procIsThisProcess } from '../engine/native/index.js';

/**
 * The directory that names this process's fds: "/proc/<pid>/fd/", whose lookup skips following
 * the "self" link (0.3–0.5 µs of the 1.1–1.7 µs a readlink of "/proc/self/fd/N" costs, in C),
 * when /proc/self is this process's pid; else "/proc/self/fd/" — a /proc mounted for another pid
 * namespace would give "/proc/<pid>" to another process, and "self" is right in any namespace.
 * (Node cannot fork without exec, so the pid never changes under a process.)
 *
 * @internal exported for its test (fs-realpath-names-fds-through-this-process-proc).
 */
export function procFdDirectoryName(): string {
  // No /proc at all answers false too: the readlink of /proc/self/fd/N then fails and realpath is Node's.
  return procIsThisProcess() ? `/proc/${process.pid}/fd/` : '/proc/self/fd/';
}
