/**
 * An Engine the program dropped without close() (no `await using`, an early return, one made per
 * request) gives back its io_uring ring, eventfd and cachemiss threads once the garbage collector
 * takes it, as Node closes a FileHandle left to the GC. Before, nothing could: the event loop's
 * watcher on the eventfd and the cachemiss pool reached the engine through closures over it, so
 * every dropped engine stayed for the process's life (hunt25: 50 dropped engines, 754 fds, 111
 * threads and 1.3 GB on the threads engine; the 502nd io_uring engine failed EMFILE).
 *
 * What lets it be collected: the wake-up holds the engine's hooks weakly while nothing is in
 * flight (engine-wake.ts), and the ring reports to a {@link RingRelay} over the engine's parts,
 * not to the engine. An engine with chains in flight stays reachable (its wake holds the hooks
 * strongly), so no completion is ever lost to the collector.
 */
import type { ChainEndings } from './chain-endings.js';
import type { CachemissThreads } from './cachemiss-threads.js';
import type { EngineWake } from './engine-wake.js';
import type { Region } from './memory.js';
import type { RingSink, UringEngine } from './uring-engine.js';

/**
 * RingRelay - the ring's sink: passes its completions to the engine's chain endings (set once
 * they exist) and its holds to the wake-up, without a reference to the engine itself.
 */
export class RingRelay implements RingSink {
  /** The engine's chain endings (made after the ring: set by the engine's constructor). */
  endings: ChainEndings | null = null;
  readonly #wake: EngineWake;

  constructor(wake: EngineWake) {
    this.#wake = wake;
  }

  /** ringCompleted - see {@link RingSink}. */
  ringCompleted(token: number, atom: number, flags: number, ret: number, retRegion: Region | null, value: number): void {
    (this.endings as ChainEndings).ringCompleted(token, atom, flags, ret, retRegion, value);
  }

  /** ringRefused - see {@link RingSink}. */
  ringRefused(token: number, atom: number): void {
    (this.endings as ChainEndings).ringRefused(token, atom);
  }

  /** ringHold - see {@link RingSink}: the ring's file reads hold the event loop while in flight. */
  ringHold(held: boolean): void {
    if (held) this.#wake.ref();
    else this.#wake.unref();
  }
}

/** What a collected engine gives back: none of it references the engine. */
interface DroppedEngineParts {
  readonly uring: UringEngine | null;
  readonly threads: CachemissThreads;
  readonly wake: EngineWake;
}

/**
 * droppedEngines - registered by each Engine, unregistered by its close(). Its finalizer runs
 * only for an engine nothing reaches, so nothing is in flight on it: the ring is unmapped and
 * closed, the pool closed as Engine.close() closes it, and the eventfd closed only once every
 * cachemiss thread has left — a thread still there pokes that fd number, which a thread starting
 * meanwhile may have been given for libuv's signal pipe (a first version closed it at once:
 * SIGSEGV in uv__signal_event, 4 of 5 runs of 20 dropped threads engines).
 */
export const droppedEngines = new FinalizationRegistry<DroppedEngineParts>((parts) => {
  parts.uring?.releaseAtWorkerExit();
  const pool = parts.threads.pool;
  if (pool === null) {
    parts.wake.close();
    return;
  }
  const closeWake = (): void => parts.wake.close();
  pool.close().then(closeWake, closeWake);
});
