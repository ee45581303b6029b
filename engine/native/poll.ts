/**
 * Event-loop integration at the FFI boundary: a libuv poll watcher on a file descriptor (koffi's
 * `node.poll`, built on uv_poll_t), so the JS thread learns that cachemiss threads finished work
 * without polling and without holding a libuv pool thread.
 */
import koffi from 'koffi';

/** A libuv watcher on one fd. */
export interface FdWatcher {
  /** Keep the event loop alive while this watcher is active. */
  ref(): void;
  /** Let the event loop exit even though this watcher is active. */
  unref(): void;
  close(): void;
}

interface PollHandle {
  ref(): void;
  unref(): void;
  close(): void;
}

/**
 * watchReadable - call `onReadable` on the JS thread whenever `fd` becomes readable.
 * The watcher starts unref'd: the owner refs it while it expects events.
 */
export function watchReadable(fd: number, onReadable: () => void): FdWatcher {
  const node = (koffi as unknown as { node: { poll: (fd: number, events: { readable: boolean }, cb: () => void) => PollHandle } }).node;
  const handle = node.poll(fd, { readable: true }, onReadable);
  handle.unref();
  return handle;
}
