/**
 * Event-loop integration at the FFI boundary: a libuv poll watcher on a file descriptor (koffi's
 * `node.poll`, built on uv_poll_t), so the JS thread learns that cachemiss threads finished work
 * without polling and without holding a libuv pool thread. In worker threads, a waker thread
 * instead (poll-waker.ts): a terminated worker's teardown must not find a uv_poll handle of koffi's.
 */
import koffi from 'koffi';
import { isMainThread } from 'node:worker_threads';
import { watchFromWorker, type FdWatcher } from './poll-waker.js';

export type { FdWatcher } from './poll-waker.js';

interface PollHandle {
  ref(): void;
  unref(): void;
  close(): void;
}

/**
 * watchReadable - call `onReadable` on the JS thread whenever `fd` becomes readable.
 * The watcher starts unref'd: the owner refs it while it expects events. In a worker thread the
 * fd is watched by a waker thread instead of a uv_poll handle, because terminating a worker with
 * a readable uv_poll handle aborts the process (see poll-waker.ts).
 */
export function watchReadable(fd: number, onReadable: () => void): FdWatcher {
  if (!isMainThread) return watchFromWorker(fd, onReadable);
  const node = (koffi as unknown as { node: { poll: (fd: number, events: { readable: boolean }, cb: () => void) => PollHandle } }).node;
  const handle = node.poll(fd, { readable: true }, onReadable);
  handle.unref();
  // koffi frees the uv_poll_t on close() and a later ref() or unref() is uv_ref(NULL): SIGSEGV.
  // The engine's exit hook closes its watcher before an 'exit' listener registered after it runs,
  // and a request made in that listener refs it again (hunt28: exit code 139 for a writeFile or a
  // FIFO read there). Once closed, the handle is never touched again.
  let open = true;
  return {
    ref: () => {
      if (open) handle.ref();
    },
    unref: () => {
      if (open) handle.unref();
    },
    close: () => {
      if (!open) return;
      open = false;
      handle.close();
    },
  };
}
