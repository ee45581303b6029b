/**
 * The request engine's per-fd books (split from requests.ts): which fds have requests queued or a
 * serial one in flight (their FIFO and counts), whether new positional requests must queue behind
 * them (the gate), and which fds were found to be pipes or sockets. fds below FAST_FDS are looked
 * up in typed arrays, so the hot path makes no Map lookup.
 */
import type { FdState } from './request.js';

// fds below this are classified through typed arrays (no Map lookup on the hot path).
const FAST_FDS = 65536;

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
  let state = fdStates.get(fd);
  if (state === undefined) {
    state = { fd, queue: [], running: 0, serial: null };
    fdStates.set(fd, state);
  }
  return state;
}

/** updateGate - open or close the fd's gate after its FIFO or serial request changed; forget an fd with nothing left. */
export function updateGate(state: FdState): void {
  const closed = state.queue.length > 0 || state.serial !== null;
  if (state.fd >= 0 && state.fd < FAST_FDS) gate[state.fd] = closed ? 1 : 0;
  if (!closed && state.running === 0) fdStates.delete(state.fd);
}

/** gated - whether a new positional request on `fd` must queue (requests wait in its FIFO, or a serial one runs). */
export function gated(fd: number): boolean {
  if (fd >= 0 && fd < FAST_FDS) return gate[fd] === 1;
  const state = fdStates.get(fd);
  return state !== undefined && (state.queue.length > 0 || state.serial !== null);
}

/** @internal fdState - the fd's state, or undefined when nothing of it is queued or in flight. */
export function fdState(fd: number): FdState | undefined {
  return fdStates.get(fd);
}
