/**
 * The request engine's per-fd books (split from requests.ts): which fds have requests queued or a
 * serial one in flight (their FIFO and counts), whether new positional requests must queue behind
 * them (the gate), and which fds were found to be pipes or sockets. fds below FAST_FDS are looked
 * up in arrays, so the hot path makes no Map lookup.
 */
import type { FdState, Request } from './request.js';
import { RequestFifo } from './request-fifo.js';

// fds below this are classified through typed arrays (no Map lookup on the hot path).
const FAST_FDS = 65536;

// States of fds below FAST_FDS, by fd (see newFastState); the rest in a Map while in use.
const fastStates: (FdState | undefined)[] = [];
const fdStates = new Map<number, FdState>();

const gate = new Uint8Array(FAST_FDS);
const streamFast = new Uint8Array(FAST_FDS);
const streamSlow = new Set<number>();

/** isStream - whether `fd` was last seen to be a pipe or socket. */
export function isStream(fd: number): boolean {
  return fd >= 0 && fd < FAST_FDS ? streamFast[fd] === 1 : streamSlow.has(fd);
}

/** setStream - remember whether `fd` is a pipe or socket. */
export function setStream(fd: number, value: boolean): void {
  if (fd >= 0 && fd < FAST_FDS) streamFast[fd] = value ? 1 : 0;
  else if (value) streamSlow.add(fd);
  else streamSlow.delete(fd);
}

/** stateOf - the fd's state, made when nothing of it was queued or in flight. */
export function stateOf(fd: number): FdState {
  if (fd >= 0 && fd < FAST_FDS) return fastStates[fd] ?? newFastState(fd);
  let state = fdStates.get(fd);
  if (state === undefined) {
    state = { fd, queue: new RequestFifo<Request>(), running: 0, serial: null };
    fdStates.set(fd, state);
  }
  return state;
}

// An fd below FAST_FDS keeps its state for the process's life (one small object per fd ever
// used): each request going to the ring or a thread made and forgot a Map entry, and the first
// one made after the request path was optimized deoptimized it (a cold process, every run).
function newFastState(fd: number): FdState {
  // Grown in order, so the array stays packed (a store far past its end would make it a dictionary).
  while (fastStates.length <= fd) fastStates.push(undefined);
  const state: FdState = { fd, queue: new RequestFifo<Request>(), running: 0, serial: null };
  fastStates[fd] = state;
  return state;
}

/** updateGate - open or close the fd's gate after its FIFO or serial request changed; forget an fd with nothing left. */
export function updateGate(state: FdState): void {
  const closed = state.queue.length > 0 || state.serial !== null;
  const fd = state.fd;
  if (fd >= 0 && fd < FAST_FDS) gate[fd] = closed ? 1 : 0;
  else if (!closed && state.running === 0) fdStates.delete(fd);
}

/** gated - whether a new positional request on `fd` must queue (requests wait in its FIFO, or a serial one runs). */
export function gated(fd: number): boolean {
  if (fd >= 0 && fd < FAST_FDS) return gate[fd] === 1;
  const state = fdStates.get(fd);
  return state !== undefined && (state.queue.length > 0 || state.serial !== null);
}

/** @internal fdState - the fd's state, or undefined when nothing of it is queued or in flight. */
export function fdState(fd: number): FdState | undefined {
  const state = fd >= 0 && fd < FAST_FDS ? fastStates[fd] : fdStates.get(fd);
  return state !== undefined && (state.queue.length > 0 || state.serial !== null || state.running > 0) ? state : undefined;
}
