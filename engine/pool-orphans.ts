/**
 * Chains the cachemiss pool finishes itself, no thread having finished them (split from pool.ts):
 * one whose thread died (-EOWNERDEAD in the atom that was running, stop `died`), one queued when
 * no thread can start (-errno, `died`), one cancelled before any thread took it (-ECANCELED,
 * `cancelled`). They wait here for the pool's next drain.
 */
import type { MemoryRegistry } from './memory.js';
import { ATOM, STOP } from './atom.js';
import { readPointer, setWord } from './words.js';
import type { Finished } from './completion-queue.js';
import type { FinishedSink } from './pool-options.js';

/** The pool's finished-by-itself chains, waiting for a drain (JS thread). */
export class Orphans {
  readonly #memory: MemoryRegistry;
  readonly #waiting: Finished[] = [];

  constructor(memory: MemoryRegistry) {
    this.#memory = memory;
  }

  /** Orphans waiting for the next drain. */
  get length(): number {
    return this.#waiting.length;
  }

  /**
   * add - finish a chain no thread will finish. A chain whose thread died gets `result`
   * (-EOWNERDEAD) in the return word of the atom that was running; a chain cancelled before any
   * thread took it keeps its atoms untouched (none ran) and only its completion says -ECANCELED.
   */
  add(token: number, atom: number, result: number, stop: number, atoms = 0): void {
    const region = stop === STOP.died ? this.#memory.find(atom, ATOM.size) : null;
    if (region !== null) {
      const ret = readPointer(region.view, atom - region.start + ATOM.ret_ptr);
      const retRegion = ret > 0 ? this.#memory.find(ret, 8) : null;
      if (retRegion !== null) setWord(retRegion.view, ret - retRegion.start, result);
    }
    this.#waiting.push({ token, last: atom, result, atoms, stop, serviceNs: 0, busyNs: 0 });
  }

  /** deliver - hand every waiting orphan to `sink` (orphans added meanwhile too). @returns how many. */
  deliver(sink: FinishedSink): number {
    let count = 0;
    // Taken all at once: shift() per orphan is quadratic, and close() can orphan 65,536 chains.
    while (this.#waiting.length > 0) {
      for (const orphan of this.#waiting.splice(0)) {
        sink.chainFinished(orphan);
        count++;
      }
    }
    return count;
  }
}
