/**
 * Chains ending (split from engine.ts): completions from cachemiss threads (successors delivered
 * after their predecessors), io_uring completions that resume a chain inline on the calling
 * thread until it ends, makes another request or needs a thread, and the one delivery of each
 * ended chain — to its listener, or as a record for the completion ring.
 */
import { ECANCELED, EFAULT, EINTR, type Word } from './native/index.js';
import type { MemoryRegistry, Region } from './memory.js';
import { STOP } from './atom.js';
import { newOutcome, type Executor, type ExecOutcome } from './executor.js';
import type { Finished } from './completion-queue.js';
import type { UringEngine } from './uring-engine.js';
import { MAX_INFLIGHT, type ChainTokens } from './chain-tokens.js';
import type { CachemissThreads } from './cachemiss-threads.js';
import type { CompletionDelivery } from './completion-delivery.js';
import type { EngineWake } from './engine-wake.js';
import type { ChainCancels } from './chain-cancel.js';
import type { ChainSubmission, SubmissionParts } from './chain-submission.js';

const NS_PER_MS = 1e6;
/**
 * The clock a ring completion's latency is read from. Node defines the global `performance` as a
 * lazy accessor on globalThis: read by name it is a global IC miss plus a getter call per
 * completion (callgrind: about 270 instructions); this binding is read once.
 */
const clock = performance;

/** What ending chains works with: the engine's parts. */
export interface EndingParts extends SubmissionParts {
  readonly cancels: ChainCancels;
  readonly submission: ChainSubmission;
}

/** One engine's chain endings (JS thread). */
export class ChainEndings {
  readonly #memory: MemoryRegistry;
  readonly #executor: Executor;
  readonly #tokens: ChainTokens;
  readonly #threads: CachemissThreads;
  readonly #uring: UringEngine | null;
  readonly #delivery: CompletionDelivery;
  readonly #wake: EngineWake;
  readonly #cancels: ChainCancels;
  readonly #submission: ChainSubmission;
  /** What a resumed io_uring chain did (apart from the submission's outcome, which lastInlineStop reports). */
  readonly #resumed: ExecOutcome = newOutcome();

  constructor(parts: EndingParts) {
    this.#memory = parts.memory;
    this.#executor = parts.executor;
    this.#tokens = parts.tokens;
    this.#threads = parts.threads;
    this.#uring = parts.uring;
    this.#delivery = parts.delivery;
    this.#wake = parts.wake;
    this.#cancels = parts.cancels;
    this.#submission = parts.submission;
  }

  /** FinishedSink: one chain finished on a cachemiss thread. */
  chainFinished(finished: Finished): void {
    const tokens = this.#tokens;
    // A successor (submitAfter) is delivered after its predecessor, whichever thread ran it.
    if (tokens.successors.holdBack(finished)) return;
    const released = tokens.successors.release(finished.token);
    if (finished.serviceNs > 0) this.#threads.govern(finished.serviceNs, finished.busyNs);
    this.#deliver(finished.token, finished.last, finished.result, (tokens.atomsBefore[finished.token] as number) + finished.atoms, finished.stop);
    if (released !== null) this.chainFinished(released);
  }

  /**
   * The chain with `token` has ended on this thread (after an io_uring completion, or cancelled
   * there): as a cachemiss thread does when it ends one, seal its link word and start the
   * successor linked after it (cancelled instead while the engine closes) before delivering it;
   * then deliver a successor completion held back for it. Exactly once per chain: the word is
   * sealed by one exchange, whoever ends the chain.
   */
  #endHere(token: number, last: number, result: Word, atoms: number, stop: number, releaseMemory = true): void {
    this.#threads.pool?.releaseSuccessor(token, this.#tokens.closed);
    const released = this.#tokens.successors.release(token);
    this.#deliver(token, last, result, atoms, stop, releaseMemory);
    if (released !== null) this.chainFinished(released);
  }

  /** The chain with `token` has ended (on a thread, or inline after an io_uring completion): deliver it once. */
  #deliver(token: number, last: number, result: Word, atoms: number, stop: number, releaseMemory = true): void {
    const tokens = this.#tokens;
    const listener = tokens.listeners[token] ?? null;
    tokens.listeners[token] = null;
    const latencyNs = (clock.now() - (tokens.starts[token] as number)) * NS_PER_MS;
    const executed = tokens.chains.executed[token] as number;
    this.#cancels.ended(token);
    tokens.give(token);
    if (releaseMemory) this.#memory.unhold(tokens.epochs[token] as number);
    if (--tokens.inflight === 0) this.#wake.unref();
    if (listener !== null) {
      try {
        listener.chainDone(last, result, atoms, stop, latencyNs, executed);
      } catch (error) {
        // A listener's exception is its program's (an uncaughtException, as from a node:fs
        // callback), not the pump's: thrown here it unwound the reap, and the completions taken
        // with this one were never delivered (hunt23: 149-197 of 200 chains lost, close() hung).
        queueMicrotask(() => {
          throw error;
        });
      }
      return;
    }
    if (last > 0 && this.#delivery.hasNoComplete(last)) return;
    this.#delivery.post({ atom: last, result, latencyNs, atoms, mode: 1, stop });
  }

  /** RingSink: see Engine.ringCompleted. */
  ringCompleted(token: number, atom: number, flags: number, ret: number, retRegion: Region | null, value: number): void {
    const tokens = this.#tokens;
    tokens.inRing[token] = 0;
    const out = this.#resumed;
    try {
      this.#executor.resume(atom, flags, ret, retRegion, value, out, tokens.atomsBefore[token] as number, token);
    } catch {
      // Only a registered buffer detached under us (its DataView throws) can get here.
      this.#endHere(token, atom, -EFAULT, (tokens.atomsBefore[token] as number) + 1, STOP.fault);
      return;
    }
    this.#continue(token, out);
    // Atoms the resumed part denied: their records go out now, outside the chain (as after submit).
    if (this.#executor.hasPendingDenies) this.#submission.deliverDenies();
  }

  /** RingSink: see Engine.ringRefused. */
  ringRefused(token: number, atom: number): void {
    const tokens = this.#tokens;
    tokens.inRing[token] = 0;
    const pool = this.#threads.ensure();
    if (!pool.submit(atom, token, tokens.atomsBefore[token] as number, tokens.chains.first[token], tokens.chains.executed[token])) {
      this.#endHere(token, atom, -ECANCELED, tokens.atomsBefore[token] as number, STOP.cancelled);
    }
  }

  /** After a resumed run: the chain ended, made another io_uring request, or needs a thread. */
  #continue(token: number, out: ExecOutcome): void {
    const tokens = this.#tokens;
    const atoms = (tokens.atomsBefore[token] as number) + out.atoms;
    if (out.ring !== 0) {
      tokens.atomsBefore[token] = atoms;
      tokens.inRing[token] = 1;
      (this.#uring as UringEngine).commit(token);
      return;
    }
    if (out.handoff !== 0) {
      tokens.atomsBefore[token] = atoms;
      if (tokens.closed || !this.#threads.ensure().submit(out.handoff, token, atoms, tokens.chains.first[token], out.executed)) {
        // Closing: the chain stops before the atom it would have continued from.
        this.#endHere(token, out.handoff, -ECANCELED, atoms, STOP.cancelled);
      }
      return;
    }
    this.#endHere(token, out.last, out.result, atoms, out.stop);
  }

  /** Engine.close's part for the io_uring engine: cancel the chains in its ring, close it, end what is left. */
  async closeRing(uring: UringEngine): Promise<void> {
    const tokens = this.#tokens;
    // Chains in the ring are cancelled: each completes (cancelled, or done just before) and
    // stops before its next atom.
    for (let token = 0; token < MAX_INFLIGHT; token++) if (tokens.inRing[token] === 1) Atomics.store(tokens.chains.cancel, token, 1);
    await uring.close();
    // A request the kernel neither cancelled nor finished in time (one that cannot be
    // interrupted) still completes its chain, once, as cancelled. The kernel may yet write
    // into its buffers while it tears the ring down, so their memory is never given back.
    for (let token = 0; token < MAX_INFLIGHT; token++) {
      if (tokens.inRing[token] !== 1) continue;
      tokens.inRing[token] = 0;
      this.#endHere(token, uring.atomOf(token), -EINTR, tokens.atomsBefore[token] as number, STOP.cancelled, false);
    }
  }
}
