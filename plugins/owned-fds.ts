/**
 * The fds whole-file reads hold on a worker thread, closed when the thread exits mid-read.
 *
 * On the io_uring engine a read the ring batch could not finish goes on from the batch's
 * descriptor installed as a process fd (reader-ring.ts); the reader closes it in its `finally`,
 * on its own JavaScript thread. A worker that calls process.exit() meanwhile never runs that
 * again: the worker-exit release closes the ring, not the fds reads were handed, and each such
 * worker left an fd (and the file) open for the life of the process (hunt22, session 22: 1 fd
 * per reader, still open 3–8 s later; node:fs/promises's read closed its fd 1 ms after the worker
 * ended). So the reader registers the fd with the file's identity, and the thread's 'exit' closes
 * what is still registered — after the engines' own release (their listener was added when the
 * first engine was made, before any read), so no chain of this thread can use the fd any more.
 * The identity (st_dev, st_ino) is checked first: if a chain had closed the fd just before the
 * exit and the number was already another file's, that fd is left alone. The main thread needs
 * none of this: the process's exit closes every fd.
 */
import { isMainThread } from 'node:worker_threads';
import { allocNative, syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { STAT_X86_64 } from '../engine/syscalls/stat-layouts.js';
import { STAT_BYTES } from './builtin/file.js';

const SYS_fstat = NR.fstat;
const SYS_close = NR.close;
/** fd → "st_dev:st_ino" of the file it was registered for (worker threads only). */
const held = new Map<number, string>();
let exitHooked = false;

function identity(dev: bigint, ino: bigint): string {
  return `${dev}:${ino}`;
}

function closeHeld(): void {
  const stat = allocNative(STAT_BYTES, 8);
  const view = new DataView(stat.buffer);
  for (const [fd, file] of held) {
    if (syscall(SYS_fstat, fd, stat.address) !== 0) continue;
    if (identity(view.getBigUint64(STAT_X86_64.st_dev, true), view.getBigUint64(STAT_X86_64.st_ino, true)) === file) syscall(SYS_close, fd);
  }
  held.clear();
}

/**
 * holdFd - a read holds `fd`, open on the file with `dev` and `ino` (its fstat's st_dev and
 * st_ino), until {@link releaseFd}. Nothing on the main thread.
 */
export function holdFd(fd: number, dev: bigint, ino: bigint): void {
  if (isMainThread) return;
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', closeHeld);
  }
  held.set(fd, identity(dev, ino));
}

/** releaseFd - the read no longer holds `fd` (it closed it, or a chain did). */
export function releaseFd(fd: number): void {
  if (!isMainThread) held.delete(fd);
}
