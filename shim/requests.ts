/**
 * The one request engine, glibc's aio_misc.c. Every POSIX entry point ends here.
 *
 * Regular files: a request goes straight to its canned chain (aio.read / aio.write, plus
 * notify.signal for SIGEV_SIGNAL), which runs inline while the page cache answers and moves to a
 * cachemiss thread otherwise; such requests on one fd run in parallel (glibc runs one at a time).
 * Streams, O_APPEND writes and fsync barriers are *serial*: per fd, they go through a FIFO and
 * run one at a time, each after everything submitted before it. Positional requests behind a
 * serial one wait in the same FIFO. A pipe or socket is recognised without fstat: pread on it
 * fails with ESPIPE at once, inline; the request is then re-queued as a stream request and the
 * fd remembered as a stream (re-checked with one lseek per later request, in case it was reused).
 *
 * The hot path — an aio_read on a regular file that completes inline — allocates nothing: the
 * request record, its plugin instance and the listener live on the aiocb and are reused.
 *
 * Beside it: request-room.ts (requests waiting for room in the region table), request-unrun.ts
 * (requests that end without a chain), request-prepare.ts (the plugin instance), request-submit.ts
 * (the aiocb's fields). classify/appends/negative stay here as function declarations: enqueueRequest
 * is inlined into submitAiocb, and a call through an imported const adds a hole check to its
 * bytecode, which pushed Request.setInProgress out of the inlining budget (+37 instructions a read).
 */
import * as nativeExports from '../engine/native/index.js';
import type { Word } from '../engine/native/index.js';
import * as heldRangesExports from './held-ranges.js';
import * as contextExports from './context.js';
import * as constantsExports from './constants.js';
import * as errnoExports from './errno.js';
import * as notifyExports from './notify.js';
import * as typesExports from './types.js';
import * as requestExports from './request.js';
import type { FdState, Request } from './request.js';
import { type ListGroup } from './types.js';
import * as signalsExports from './signals.js';
import * as nrExports from '../engine/syscalls/nr.js';
import * as constantsGeneratedExports from '../engine/syscalls/constants.generated.js';
import * as fdStatesExports from './fd-states.js';
import * as fdQueueExports from './fd-queue.js';
import * as requestPrepareExports from './request-prepare.js';
import * as requestRoomExports from './request-room.js';
// Their import path stays this module's (the POSIX entry points import them from here).
export { fdState } from './fd-states.js';
export { recall, unqueue } from './fd-queue.js';
export { awaitingFallback, settle, settleFallback } from './request-settle.js';

// Imported bindings as this module's own consts: TurboFan folds a module's consts into the code it
// compiles, but loads an imported binding's cell and tests it for the hole at every use, and
// calls an imported function through that load (P1: ~6 instructions a use on the request path).
const { syscall, EAGAIN, EINPROGRESS, ESPIPE } = nativeExports;
const { evictIdleRanges } = heldRangesExports;
const { aioEngine, markUsed } = contextExports;
const { O_APPEND, SIGEV_NONE, SIGEV_SIGNAL, SIGEV_THREAD } = constantsExports;
const { failWith } = errnoExports;
const { listDone, notifyThread, sendSignal, signalRefused } = notifyExports;
const { OP_FSYNC, OP_WRITE } = typesExports;
const { IDLE, QUEUED, RUNNING } = requestExports;
const { scheduleSignalDrain } = signalsExports;
const { NR } = nrExports;
const { F_GETFL, SEEK_CUR } = constantsGeneratedExports;
const { gated, isStream, setStream, stateOf, updateGate } = fdStatesExports;
const { insert, linkQueued } = fdQueueExports;
const { fdsWaitingForRoom, holdNow } = requestRoomExports;
const { ATTACHED_INSTANCES_LIMIT, attachedInstances, misclassifiedStream, notifyKind, prepare, releaseBuffer, releaseInstance, unpinStream } = requestPrepareExports;

const SYS_lseek = NR.lseek;
const SYS_fcntl = NR.fcntl;

let drainingWaitingForRoom = false;

/**
 * After a completion: try the heads of the lines that wait for room (drain ends one with EAGAIN
 * when it still finds none and nothing is left in flight to make some).
 */
function drainWaitingForRoom(): void {
  if (drainingWaitingForRoom) return;
  drainingWaitingForRoom = true;
  try {
    for (const state of [...fdsWaitingForRoom]) {
      fdsWaitingForRoom.delete(state);
      drain(state);
    }
  } finally {
    drainingWaitingForRoom = false;
  }
}

/** @internal Called after every completion (the promise form of aio_suspend waits through it). */
export const completionHooks = new Set<() => void>();

/**
 * @internal enqueueRequest - the engine's entry, once fd, buf, nbytes, offset, reqprio, signo
 * and value are in the record: classify, then start or queue.
 * @returns 0, or -1 with errno EAGAIN when the engine refuses the chain.
 */
export function enqueueRequest(request: Request, owner: object, op: number, notify: number, group: ListGroup | null): number {
  markUsed();
  const fd = request.fd;
  request.op = op;
  request.group = group;
  // Signal 0 sends nothing; SIGEV_THREAD_ID and unknown kinds get no notification, as in glibc.
  // (SIGEV_NONE, the usual kind, without the call.)
  request.notify = notify === SIGEV_NONE ? SIGEV_NONE : notifyKind(request, notify);
  request.fn = request.notify === SIGEV_THREAD ? request.notifyFunction : null;
  request.setInProgress();
  request.completion.mode = null;
  request.completion.latencyNs = NaN;
  let serial = op >= OP_FSYNC;
  // A request at the file position uses read(2)/write(2) (the stream chains) and runs serially.
  let stream = request.filePosition;
  // A negative aio_offset is positional whatever the fd: pread64/pwrite64 answer EINVAL before
  // they look at the fd (glibc's helper thread gets EINVAL there and never falls back to
  // read(2)/write(2), which would take bytes from a pipe).
  if (!serial && !stream && !negative(request.offset)) {
    // A cached stream fd is re-checked (the number may have been closed and reused); a signalled
    // request is classified first, so that no signal ever carries the ESPIPE of a probe.
    if (isStream(fd) || request.notify === SIGEV_SIGNAL) stream = classify(fd);
    if (op === OP_WRITE && !stream) serial = appends(fd);
  }
  serial ||= stream;
  request.stream = stream;
  request.serial = serial;
  // (The paths other than an immediate start are functions of their own: enqueueRequest is
  // inlined into submitAiocb, and V8's budget for that was spent on code that never runs on P1.)
  if (!serial && !gated(fd) && !request.needsHold) return start(request, owner) >= 0 ? 0 : refused(request);
  queue(request, owner);
  return 0;
}

/** Whether `fd` is a pipe or socket (lseek fails with ESPIPE), remembered for its next requests. */
function classify(fd: number): boolean {
  const stream = syscall(SYS_lseek, fd, 0, SEEK_CUR) === -ESPIPE;
  setStream(fd, stream);
  return stream;
}

/** Whether writes to `fd` append (O_APPEND): such writes run serially. */
function appends(fd: number): boolean {
  const flags = syscall(SYS_fcntl, fd, F_GETFL);
  return flags >= 0 && (flags & O_APPEND) !== 0;
}

/** The engine refused a request it was to start: it ends with EAGAIN at once. @returns -1 (errno EAGAIN). */
function refused(request: Request): number {
  request.owner = null;
  request.group = null;
  request.state = IDLE;
  request.setStatus(EAGAIN, -1);
  releaseBuffer(request);
  return failWith(EAGAIN);
}

/** Queue a request in its fd's line and start what the line's order allows. */
function queue(request: Request, owner: object): void {
  request.owner = owner;
  const state = stateOf(request.fd);
  insert(state, request);
  drain(state);
}

/** @internal drain - start queued requests from the head while the fd's ordering allows. */
export function drain(state: FdState): void {
  const queue = state.queue;
  while (queue.length > 0) {
    const head = queue.get(0) as Request;
    if (state.serial !== null || (head.serial && state.running > 0)) break;
    if (head.needsHold && !holdNow(head)) {
      if (aioEngine().inflight > 0) {
        // No room yet: it stays first in its line, and completions try again (drainWaitingForRoom).
        fdsWaitingForRoom.add(state);
        break;
      }
      // Nothing in flight would make room: it ends with EAGAIN, as a refused submission would.
      queue.shift();
      head.tracked = null;
      head.needsHold = false;
      head.setStatus(EAGAIN, -1);
      complete(head);
      continue;
    }
    queue.shift();
    head.tracked = null;
    if (head.linked) {
      // Already handed to the engine behind the request that has just ended: it is running.
      head.linked = false;
      head.state = RUNNING;
      head.tracked = state;
      state.serial = head;
      continue;
    }
    if (start(head, head.owner as object) < 0) {
      if (aioEngine().inflight > 0) {
        // No room for its instance yet: first in its line again, and completions try again.
        queue.unshift(head);
        head.state = QUEUED;
        head.tracked = state;
        fdsWaitingForRoom.add(state);
        break;
      }
      head.setStatus(EAGAIN, -1);
      complete(head);
    }
  }
  linkQueued(state);
  updateGate(state);
}

/**
 * start - fill the request's plugin instance and submit it.
 * @param owner - what keeps the request's aiocb alive: it becomes the request's owner when the
 *   request outlives this call (in flight, or queued again). A request that completes inline
 *   never stores it: its caller holds the aiocb throughout, and the store into an old object
 *   cost a write barrier's call, ~50 instructions a P1 read.
 * @returns 1 completed inline, 0 in flight, <0 -errno (refused).
 */
function start(request: Request, owner: object): number {
  let instance = prepare(request);
  // No slab for another instance: idle buffer registrations hold slots of the table; let some go.
  if (instance === null && evictIdleRanges()) instance = prepare(request);
  if (instance === null) {
    request.state = IDLE;
    return -EAGAIN;
  }
  const engine = aioEngine();
  request.state = RUNNING;
  // A serial request stays off the io_uring ring: the requests queued behind it are linked after
  // it (linkQueued) and start when it ends, and a program may block outside the library (in
  // read(2) on a socket's other end) until they do. A ring request ends only when this thread
  // processes the ring; a cachemiss thread ends it, and starts the next, by itself — as glibc's
  // helper thread does.
  const submitted = engine.submitCanned(instance.canned, request, request.serial);
  // Compared with a fraction, as doubles: after an inline run `submitted` is an atom's address
  // (above 2^31, a heap number), else 0 or -errno (small integers). With `> 0`, a process whose
  // first requests all went to the ring had this compiled for small integers only, and its first
  // inline completion deoptimized the request path (P2 cold).
  if (submitted > 0.5) {
    // A published status of 0 means the I/O call succeeded, so it cannot be ESPIPE: one load of
    // the aiocb's status word instead of reading atom 0's result from the instance on every
    // inline completion (P1). Any other status (an error, or none published) asks properly.
    if (request.error !== 0 && misclassifiedStream(request)) {
      request.owner = owner;
      requeueAsStream(request);
      return 0;
    }
    // aio_status ran unless the policy refused the calls (the kill switch); then the request still ends.
    if (!request.statusPublished()) {
      const last = instance.indexOf(submitted);
      request.publishIfUnpublished(last < 0 ? 0 : Number(instance.result(last)), engine.lastInlineStop);
    }
    // No clock is read for an inline completion (the hot path); latencyNs stays NaN.
    request.completion.mode = 'inline';
    complete(request);
    return 1;
  }
  if (submitted === 0) {
    request.owner = owner;
    request.token = engine.lastSubmit.token;
    const state = stateOf(request.fd);
    if (request.serial) state.serial = request;
    else state.running++;
    request.tracked = state;
    if (request.serial) updateGate(state);
    return 0;
  }
  request.state = IDLE;
  unpinStream(request);
  return submitted;
}

/** Run a misclassified request again as a stream request, first in its fd's line. */
function requeueAsStream(request: Request): void {
  request.token = -1;
  setStream(request.fd, true);
  request.stream = true;
  request.serial = true;
  request.setStatus(EINPROGRESS, 0);
  const state = stateOf(request.fd);
  state.queue.unshift(request);
  request.state = QUEUED;
  request.tracked = state;
  drain(state);
}

/**
 * @internal chainEnded - a request's chain ended on a cachemiss thread (Request's completion
 * step). A positional request whose ESPIPE shows its fd to be a stream — its number may have been
 * closed and reused since an earlier request, which the inline path cannot always see (a write
 * that ext4 cannot probe goes straight to a thread) — runs again as a stream request, as one that
 * failed inline does; anything else is complete.
 */
export function chainEnded(request: Request): void {
  if (request.linked) {
    // It ran before the JS thread took it out of its fd's FIFO: the request it was linked after
    // went back to the queue (requeueAsStream) instead of ending. Rare; keep the books right.
    const state = request.tracked;
    request.linked = false;
    request.tracked = null;
    if (state !== null) state.queue.removeAt(state.queue.indexOf(request));
    complete(request);
    if (state !== null) drain(state);
    return;
  }
  if (!misclassifiedStream(request)) {
    complete(request);
    return;
  }
  const state = request.tracked;
  if (state !== null) {
    request.tracked = null;
    if (state.serial === request) state.serial = null;
    else state.running--;
  }
  requeueAsStream(request);
}

/** @internal complete - the request's status is final: notify, count, and let its fd move on. */
export function complete(request: Request): void {
  request.state = IDLE;
  request.token = -1;
  unpinStream(request);
  releaseBuffer(request);
  if (request.notify === SIGEV_SIGNAL) {
    const instance = request.instance;
    const plugin = request.plugin;
    // The signal atom's result: a number when it ran; NOT_EXECUTED (a bigint) or no chain at all
    // when the request ended without it (cancelled), and then a lone notify.signal sends it.
    const sent = instance !== null && plugin !== null && plugin.signalAtom >= 0 ? instance.result(plugin.signalAtom) : null;
    if (typeof sent !== 'number') notifyCancelled(request);
    else if (sent < 0) signalRefused(request, sent);
    else scheduleSignalDrain(request.signo);
  } else if (request.notify === SIGEV_THREAD && request.fn !== null) {
    notifyThread(request.fn, request.value);
  }
  const group = request.group;
  if (group !== null) {
    request.group = null;
    if (request.error !== 0) group.failed = true;
    if (--group.remaining === 0) listDone(group);
  }
  const waiter = request.waiter;
  if (waiter !== null) {
    request.waiter = null;
    waiter.requestDone(request);
  }
  // Before the requests waiting for room start: one of them may take the instance.
  if (request.oneShot || attachedInstances.count > ATTACHED_INSTANCES_LIMIT) releaseInstance(request);
  if (fdsWaitingForRoom.size !== 0) drainWaitingForRoom();
  if (completionHooks.size !== 0) for (const hook of [...completionHooks]) hook();
  const state = request.tracked;
  request.owner = null;
  if (state === null) return;
  request.tracked = null;
  if (state.serial === request) state.serial = null;
  else state.running--;
  if (state.queue.length > 0) drain(state);
  else updateGate(state);
}

/** A request that ended without its chain (cancelled): send its signal with a lone notify.signal chain. */
function notifyCancelled(request: Request): void {
  const result = sendSignal(request.signo, request.value);
  if (result < 0) signalRefused(request, result);
}

/** Whether an aio_offset is negative (a word: a number, or a bigint beyond 2^53). */
function negative(offset: Word): boolean {
  return typeof offset === 'number' ? offset < 0 : offset < 0n;
}
