/**
 * Adaptive read probing per fd for the io_uring engine: a file whose RWF_NOWAIT read probes keep
 * missing the page cache skips the probe (it only costs, and starts the read-ahead synchronously
 * on the calling thread; io_uring tries non-blocking first itself).
 */
import type { Word } from './native/index.js';

/** A read probe that failed this many times in a row on one fd is skipped from then on... */
const PROBE_MISSES_TO_SKIP = 8;
/** ...except every this-many-th request, which probes again (the file may be cached by now). */
const PROBE_SAMPLE = 64;

/** The probe verdicts of one engine, per fd number. */
export class ReadProbeMemory {
  // Adaptive read probing per fd (see skipProbe). Kept per fd number even when the program
  // closes it and gets the number again for another file (the engine cannot see that): only
  // whether a read probes first depends on it, never what the read does, and one read in
  // PROBE_SAMPLE probes again, so a number's new file soon gets its own verdict.
  readonly #misses = new Uint8Array(65536);
  readonly #sampled = new Uint8Array(65536);

  /** skipProbe - whether the non-blocking probe of a read on `fd` is better left out (it keeps failing). */
  skipProbe(fd: Word): boolean {
    if (typeof fd !== 'number' || fd < 0 || fd >= 65536 || (this.#misses[fd] as number) < PROBE_MISSES_TO_SKIP) return false;
    // Sample: one request in PROBE_SAMPLE probes again, so a file that became cached goes back.
    const sampled = ((this.#sampled[fd] as number) + 1) % PROBE_SAMPLE;
    this.#sampled[fd] = sampled;
    return sampled !== 0;
  }

  /** probed - a read probe on `fd` succeeded (`hit`) or would have blocked. */
  probed(fd: Word, hit: boolean): void {
    if (typeof fd !== 'number' || fd < 0 || fd >= 65536) return;
    const misses = this.#misses[fd] as number;
    if (hit) this.#misses[fd] = 0;
    else if (misses < PROBE_MISSES_TO_SKIP) this.#misses[fd] = misses + 1;
  }
}
