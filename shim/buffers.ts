/**
 * Registration of caller buffers given as aio_buf. Chains may only touch engine memory or
 * registered buffers, so a Buffer must be registered while a request uses it — and only then:
 * tying the registration to the aiocb's life would let throwaway aiocbs with fresh Buffers fill
 * the engine's region table long before the garbage collector runs. A few idle registrations
 * are kept (most programs reuse their buffers), the oldest dropped first.
 */
import { aioEngine } from './context.js';

/**
 * How many buffers with no request in flight stay registered. Every registration change
 * republishes the region table and makes each cachemiss thread re-read it, so churn is costly:
 * with 64, a load of a few hundred buffers ran 3x slower than with 1024. A quarter of the table.
 */
export const IDLE_REGISTRATIONS = 1024;

/** One caller backing store and the requests using it. */
export interface BufferRegistration {
  readonly backing: ArrayBufferLike;
  /** Requests queued or in flight on it. */
  users: number;
  /** Whether we registered it (false: engine memory or the caller's own registration). */
  registered: boolean;
}

const registrations = new WeakMap<ArrayBufferLike, BufferRegistration>();
// Insertion order is age: the first entry is the oldest idle registration.
const idle = new Set<BufferRegistration>();

/** registrationOf - the (possibly not yet registered) registration record of a view's backing store. */
export function registrationOf(view: ArrayBufferView): BufferRegistration {
  const backing = view.buffer;
  let registration = registrations.get(backing);
  if (registration === undefined) {
    registration = { backing, users: 0, registered: false };
    registrations.set(backing, registration);
  }
  return registration;
}

/**
 * holdBuffer - a request is about to use the buffer at `address` (inside `registration`'s
 * backing store): make sure chains may touch it.
 * @returns false when it cannot be registered (the engine's region table is full).
 */
export function holdBuffer(registration: BufferRegistration, address: number, length: number): boolean {
  if (registration.users++ > 0) return true;
  if (idle.delete(registration)) return true;
  const engine = aioEngine();
  // Engine memory, or this very buffer registered by the caller: usable as is, and not ours to
  // unregister. A region of another buffer at this address is stale (that buffer's memory was
  // freed and reused): registering ours replaces it.
  const region = engine.memory.find(address, Math.max(1, length));
  if (region !== null && (region.kind !== 'registered' || engine.memory.regionOfBuffer(registration.backing) === region)) {
    registration.registered = false;
    return true;
  }
  try {
    engine.register(registration.backing);
  } catch {
    registration.users--;
    return false;
  }
  registration.registered = true;
  return true;
}

/** dropBuffer - a request that held the buffer has ended. */
export function dropBuffer(registration: BufferRegistration): void {
  if (--registration.users > 0 || !registration.registered) return;
  idle.add(registration);
  if (idle.size <= IDLE_REGISTRATIONS) return;
  const oldest = idle.values().next().value as BufferRegistration;
  idle.delete(oldest);
  oldest.registered = false;
  // No request uses it (users is 0), and only requests' chains reach this registration.
  aioEngine().unregister(oldest.backing, true);
}
