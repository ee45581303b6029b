/**
 * Deferred release for the memory registry (engine/memory.ts): memory released while chains that
 * might still touch it run on cachemiss threads stays mapped (and its owner alive) until every
 * chain from that epoch has finished. Split from memory.ts by job.
 */

/** Epochs of held chains and the frees waiting for them. */
export class ReleaseEpochs {
  #epoch = 0;
  readonly #holdsByEpoch = new Map<number, number>();
  readonly #deferred: { epoch: number; free: () => void }[] = [];

  /** @internal hold - a chain is going to a cachemiss thread. @returns the epoch to give back to {@link unhold}. */
  hold(): number {
    const epoch = this.#epoch;
    this.#holdsByEpoch.set(epoch, (this.#holdsByEpoch.get(epoch) ?? 0) + 1);
    return epoch;
  }

  /** @internal unhold - a chain from `epoch` finished; frees whatever no running chain can reach any more. */
  unhold(epoch: number): void {
    const left = (this.#holdsByEpoch.get(epoch) ?? 1) - 1;
    if (left > 0) this.#holdsByEpoch.set(epoch, left);
    else this.#holdsByEpoch.delete(epoch);
    if (this.#deferred.length > 0) this.#runDeferred();
  }

  /** defer - run `free` now when no chain is held, else once every chain held before now has finished. */
  defer(free: () => void): void {
    if (this.#holdsByEpoch.size === 0) {
      free();
      return;
    }
    this.#deferred.push({ epoch: this.#epoch, free });
    this.#epoch++;
  }

  #runDeferred(): void {
    let oldest = Number.POSITIVE_INFINITY;
    for (const epoch of this.#holdsByEpoch.keys()) oldest = Math.min(oldest, epoch);
    while (this.#deferred.length > 0 && (this.#deferred[0] as { epoch: number }).epoch < oldest) {
      (this.#deferred.shift() as { free: () => void }).free();
    }
  }
}
