/**
 * The successor link of the cachemiss pool (split from pool.ts): a chain handed over to run once
 * the chain in flight before it has ended (CachemissPool.submitAfter). The thread that ends the
 * predecessor runs it next, as glibc's helper thread takes the next request of its fd, so that
 * work queued behind a blocking chain moves on while the calling thread is busy elsewhere
 * (blocked in a read of its own, say).
 *
 * The link is one word per token, `next`: 0 none, `token + 1` the successor, {@link SEALED} once
 * the predecessor has ended. The word is sealed by one exchange by whichever thread ends the
 * chain: a cachemiss thread, which then runs the successor itself (cachemiss-worker.ts), or the
 * calling thread for a chain that ended there after an io_uring completion, or one the pool
 * finished itself ({@link sealLink}; the pool then queues the successor for any thread).
 */
import { SEALED } from './pool-options.js';

/**
 * linkSuccessor - link `token` after `predecessor`, when that has no successor yet.
 * @returns 'linked' (the predecessor's thread will run it), 'sealed' (the predecessor has ended:
 *   queue it instead) or 'taken' (the predecessor has a successor already).
 */
export function linkSuccessor(next: Int32Array, token: number, predecessor: number): 'linked' | 'sealed' | 'taken' {
  const before = Atomics.compareExchange(next, predecessor, 0, token + 1);
  if (before === 0) return 'linked';
  return before === SEALED ? 'sealed' : 'taken';
}

/**
 * unlinkSuccessor - take back the successor `token` of `predecessor` that no thread has taken yet;
 * a successor linked after it moves up to its predecessor.
 * @returns true when it was taken back (it will never run); false when its predecessor has ended.
 */
export function unlinkSuccessor(next: Int32Array, token: number, predecessor: number): boolean {
  // Nothing else writes next[token] while token has not run (only the thread that ends a chain
  // and the calling thread do), so its value cannot change under the exchange.
  return Atomics.compareExchange(next, predecessor, token + 1, Atomics.load(next, token)) === token + 1;
}

/**
 * sealLink - the chain `token` has ended: seal its link word.
 * @returns the successor that was linked after it, or -1 when none was.
 */
export function sealLink(next: Int32Array, token: number): number {
  return Atomics.exchange(next, token, SEALED) - 1;
}
