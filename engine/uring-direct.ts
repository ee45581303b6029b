/**
 * Direct ring requests: one SQE written for a caller that is not a chain, its CQE's result handed
 * back to that caller, and nothing else — no atom, no executor walk, no argument copies. For a
 * request whose arguments the caller already holds in memory that outlives it (syslet-aio/fs's
 * statx of a deep stat burst: the path, copied in by the kernel while it prepares the request,
 * and the struct statx the worker fills), where the chain machinery around one SQE cost the
 * calling thread more than the request itself (fs/stat-burst.ts).
 *
 * The caller answers for the policy (it asks the engine's policy before writing) and for its
 * memory; the engine answers each request exactly once: with its CQE's result, or -ECANCELED when
 * the kernel never took it or the ring was released first.
 */
import { ECANCELED } from './native/index.js';

/** The receiver of a direct request's result. */
export interface DirectRequestTarget {
  /** The request finished with `res` (the CQE's result: a count, 0 or -errno). */
  ringDone(res: number): void;
}

/** The direct requests in one io_uring engine's ring, by code (a small integer per request in flight). */
export class RingDirectRequests {
  readonly #targets: (DirectRequestTarget | null)[] = [];
  readonly #free: number[] = [];
  #inFlight = 0;
  readonly #hold: (held: boolean) => void;

  /** @param hold - called with true when the first request goes in flight, false when the last comes back. */
  constructor(hold: (held: boolean) => void) {
    this.#hold = hold;
  }

  /** Requests written whose result has not been handed back. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** take - a code for a new request of `target`. */
  take(target: DirectRequestTarget): number {
    let code = this.#free.pop();
    if (code === undefined) {
      code = this.#targets.length;
      this.#targets.push(null);
    }
    this.#targets[code] = target;
    if (this.#inFlight++ === 0) this.#hold(true);
    return code;
  }

  /** complete - the request with `code` answered `res`. */
  complete(code: number, res: number): void {
    const target = this.#targets[code] ?? null;
    if (target === null) return;
    this.#targets[code] = null;
    this.#free.push(code);
    if (--this.#inFlight === 0) this.#hold(false);
    target.ringDone(res);
  }

  /** abandonAll - the ring is released: every request still in flight answers -ECANCELED. */
  abandonAll(): void {
    for (let code = 0; code < this.#targets.length; code++) this.complete(code, -ECANCELED);
  }
}
