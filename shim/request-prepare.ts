/**
 * Filling a request's canned chain (split from requests.ts): the plugin instance a request runs
 * (aio.read / aio.write, stream or positional, with notify.signal for SIGEV_SIGNAL), kept on the
 * request and rewritten only where it changed; the notification kind a sigevent asks for; and the
 * checks and clean-up around a run (a misclassified stream, the registered buffer it held).
 */
import * as nativeExports from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';
import { F_DUPFD_CLOEXEC } from '../engine/syscalls/constants.generated.js';
import * as heldRangesExports from './held-ranges.js';
import * as contextExports from './context.js';
import * as constantsExports from './constants.js';
import * as notifyExports from './notify.js';
import * as typesExports from './types.js';
import type { InstanceRemains, Request } from './request.js';
import type { PluginInstance } from '../plugins/plugin.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { ESPIPE, syscall } = nativeExports;
const SYS_fcntl = NR.fcntl;
const SYS_close = NR.close;
const { dropBuffer } = heldRangesExports;
const { acquireOrNull } = contextExports;
const { SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } = constantsExports;
const { pluginFor, setSignalParams } = notifyExports;
const { OP_WRITE } = typesExports;

/**
 * pinStream - a close-on-exec duplicate of a stream request's fd for its run (kept in
 * `request.pinnedFd` until {@link unpinStream}), or the fd itself when none can be made (a bad fd
 * fails with its own errno in the call; at the fd limit the request runs on the number, as before).
 */
function pinStream(request: Request): number {
  unpinStream(request);
  const pinned = syscall(SYS_fcntl, request.fd, F_DUPFD_CLOEXEC, 0);
  if (pinned < 0) return request.fd;
  request.pinnedFd = pinned;
  return pinned;
}

/** unpinStream - close the duplicate {@link pinStream} made, once the request's run has ended. */
export function unpinStream(request: Request): void {
  const pinned = request.pinnedFd;
  if (pinned < 0) return;
  request.pinnedFd = -1;
  syscall(SYS_close, pinned);
}

/**
 * How many plugin instances requests hold between their runs (an aiocb keeps its instance, so its
 * next request rewrites only what changed: the P1 path). Past {@link ATTACHED_INSTANCES_LIMIT}, a
 * request gives its instance back when it completes, so that a program holding 100,000 aiocbs
 * that each ran once holds 4,096 instances (about 3 KiB each, JS and native), not 100,000: the
 * instances alive are bounded by this limit plus the requests in flight, by design. A request
 * that cannot run again (submitRaw's) always gives its instance back.
 */
export const attachedInstances = { count: 0 };
/** The most instances requests keep between runs (see {@link attachedInstances}). */
export const ATTACHED_INSTANCES_LIMIT = 4096;

/**
 * releaseInstance - the request gives back its plugin instance (it completed, or its aiocb is
 * garbage): the next run acquires one from the pool and fills it whole.
 */
export function releaseInstance(request: Request): void {
  const instance = request.instance;
  if (instance === null) return;
  request.instance = null;
  request.plugin = null;
  if (request.remains !== null) request.remains.instance = null;
  attachedInstances.count--;
  instance.release();
}

/** releaseRemains - an aiocb is garbage: give back the instance its request held, if any. */
export function releaseRemains(remains: InstanceRemains): void {
  const instance = remains.instance;
  if (instance === null) return;
  remains.instance = null;
  attachedInstances.count--;
  instance.release();
}

/** The request no longer needs its buffer registered (it ended, or never started). */
export function releaseBuffer(request: Request): void {
  if (!request.holdsBuffer) return;
  request.holdsBuffer = false;
  // heldRange stays (holdsBuffer says whether it is held): the next request on the same buffer
  // holds the same range and stores nothing. The aio_buf setter lets it go with its buffer.
  const held = request.heldRange;
  if (held !== null) dropBuffer(held);
}

/** notifyKind - the notification a request gets for its sigevent's sigev_notify. */
export function notifyKind(request: Request, notify: number): number {
  if (notify === SIGEV_SIGNAL) return request.signo === 0 ? SIGEV_NONE : SIGEV_SIGNAL;
  return notify === SIGEV_THREAD && request.notifyFunction !== null ? SIGEV_THREAD : SIGEV_NONE;
}

/**
 * prepare - fill the request's plugin instance for a run (its cells reset) and return it.
 * @returns null when there is no instance to run and no room for one: a new slab of instances
 *   is a region of engine memory, and the region table is full (the caller answers EAGAIN).
 */
export function prepare(request: Request): PluginInstance | null {
  const plugin = pluginFor(request.op, request.stream, request.notify === SIGEV_SIGNAL);
  let instance = request.instance;
  if (instance === null || request.plugin !== plugin) {
    releaseInstance(request);
    instance = acquireOrNull(plugin.plugin);
    if (instance === null) {
      // No instance: complete() then sees no signal atom and notifies on its own.
      request.plugin = null;
      return null;
    }
    request.instance = instance;
    if (request.remains !== null) request.remains.instance = instance;
    attachedInstances.count++;
    request.plugin = plugin;
    instance.set(plugin.errorCode, request.errorAddress);
    instance.set(plugin.returnValue, request.returnAddress);
    instance.set(plugin.width, request.width);
    request.cachedFd = NaN;
    request.cachedBuf = NaN;
    request.cachedNbytes = NaN;
  }
  // Parameter cells keep their values between requests (they are outside the reset span, and
  // no parameter of these plugins is mirrored): rewrite only what changed — usually the offset.
  if (request.stream) {
    // The descriptor's file is taken now, as glibc's helper thread takes it within microseconds:
    // a stream request that waits for a cachemiss thread (serial requests stay off the ring; a
    // process's first one waits for the first thread to load, 50-250 ms) otherwise resolved the
    // number only when that thread made the call, after the program may have closed it and got
    // it again for another file (the read took the new file's bytes, and the pipe lost its
    // reader). Pipes, sockets and terminals only: closing the duplicate also drops the process's
    // POSIX record locks on its file, which such files do not carry in practice.
    const pinned = pinStream(request);
    instance.set(plugin.fd, pinned);
    request.cachedFd = pinned;
  } else if (request.cachedFd !== request.fd) {
    instance.set(plugin.fd, request.fd);
    request.cachedFd = request.fd;
  }
  if (plugin.buf >= 0) {
    if (request.cachedBuf !== request.buf) {
      instance.set(plugin.buf, request.buf);
      request.cachedBuf = request.buf;
    }
    if (request.cachedNbytes !== request.nbytes) {
      instance.set(plugin.nbytes, request.nbytes);
      request.cachedNbytes = request.nbytes;
    }
    if (plugin.offset >= 0) instance.set(plugin.offset, request.offset);
  }
  // The result cells say which atoms of this run have run (aio_status's: whether the status is
  // published; notify.signal's: whether the signal went), and notify.signal's siginfo is scratch.
  instance.reset();
  if (plugin.signalAtom >= 0) setSignalParams(instance, plugin, request.signo, request.value);
  return instance;
}

/**
 * A positional request that ended with ESPIPE ran on a pipe or socket: pread/pwrite cannot be
 * used there, but read/write can, as glibc's worker falls back. A signalled request was classified
 * with lseek before it ran and has sent its signal already: its ESPIPE stands.
 */
export function misclassifiedStream(request: Request): boolean {
  if (request.stream || request.op > OP_WRITE || request.notify === SIGEV_SIGNAL) return false;
  // The operation's own result (atom 0), not the aiocb's field, which the program may write.
  const instance = request.instance;
  return instance !== null && instance.result(0) === -ESPIPE;
}
