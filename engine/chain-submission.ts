/**
 * Submitting chains (split from engine.ts): run a chain inline on the calling thread and, when it
 * would block, give it a token and hand the rest to the io_uring engine or a cachemiss thread;
 * link a chain after one in flight (submitAfter) and take it back (withdraw). What the last
 * submission did is kept for Engine.lastSubmit and Engine.lastInlineStop.
 */
import { EAGAIN, EBUSY, EFAULT, EINVAL, ESHUTDOWN } from './native/index.js';
import type { MemoryRegistry } from './memory.js';
import { ATOM } from './atom.js';
import { newOutcome, type Executor, type ExecOutcome } from './executor.js';
import type { CannedChain } from './executor-canned.js';
import type { UringEngine } from './uring-engine.js';
import type { ChainListener, SubmitReport } from './engine-options.js';
import { MAX_INFLIGHT, type ChainTokens } from './chain-tokens.js';
import type { CachemissThreads } from './cachemiss-threads.js';
import type { CompletionDelivery } from './completion-delivery.js';
import type { EngineWake } from './engine-wake.js';

const NS_PER_MS = 1e6;

/** What a submission path works with: the engine's parts. */
export interface SubmissionParts {
  readonly memory: MemoryRegistry;
  readonly executor: Executor;
  readonly tokens: ChainTokens;
  readonly threads: CachemissThreads;
  readonly uring: UringEngine | null;
  readonly delivery: CompletionDelivery;
  readonly wake: EngineWake;
}

/** One engine's submissions (JS thread). */
export class ChainSubmission {
  readonly #memory: MemoryRegistry;
  readonly #executor: Executor;
  readonly #tokens: ChainTokens;
  readonly #threads: CachemissThreads;
  readonly #uring: UringEngine | null;
  readonly #delivery: CompletionDelivery;
  readonly #wake: EngineWake;
  /** What the latest inline run did (Engine.lastInlineStop, runChain's inline completions). */
  readonly outcome: ExecOutcome = newOutcome();
  /** Engine.lastSubmit (the object is reused). */
  readonly report: SubmitReport & { last: number; atoms: number; stop: number; executed: number; token: number } = { last: 0, atoms: 0, stop: 0, executed: 0, token: -1 };

  constructor(parts: SubmissionParts) {
    this.#memory = parts.memory;
    this.#executor = parts.executor;
    this.#tokens = parts.tokens;
    this.#threads = parts.threads;
    this.#uring = parts.uring;
    this.#delivery = parts.delivery;
    this.#wake = parts.wake;
  }

  /** Engine.submit: see there. */
  submit(atom: number, listener: ChainListener | null, offRing: boolean, plan: CannedChain | null = null): number {
    let submitted: number;
    if (offRing) {
      this.#executor.useRing(false);
      try {
        submitted = this.#submit(atom, listener, plan);
      } finally {
        this.#executor.useRing(true);
      }
    } else {
      submitted = this.#submit(atom, listener, plan);
    }
    if (this.#executor.hasPendingDenies) this.deliverDenies();
    return submitted;
  }

  #submit(atom: number, listener: ChainListener | null, plan: CannedChain | null): number {
    const tokens = this.#tokens;
    if (tokens.closed) return -ESHUTDOWN;
    const memory = this.#memory;
    // A canned chain's plan knows the region of its first atom: find's answer stays the answer
    // while the registry's version has not moved (MemoryRegistry.version), so it is not asked again.
    const planned = plan !== null && plan.registry === memory && plan.version === memory.version ? plan.region : null;
    const first = planned !== null ? planned : Number.isSafeInteger(atom) && atom > 0 ? memory.find(atom, ATOM.size) : null;
    if (first === null) return -EFAULT;
    // Any chain may go asynchronous, and then it needs a token (and room in the queue, which has
    // as many entries as there are tokens): refuse before the first atom runs, not after.
    if (tokens.free === 0) return -EAGAIN;
    // The clock is read only when someone will see the latency: inline completions reported to
    // the ring, and chains that go asynchronous.
    const reportInline = listener === null && this.#delivery.reportInline;
    const start = reportInline ? performance.now() : 0;
    const out = this.outcome;
    try {
      if (plan === null) this.#executor.run(atom, out, 0, first);
      else this.#executor.runCanned(plan, out, first);
    } catch {
      // Only a registered buffer detached under us (its DataView throws) can get here.
      return -EFAULT;
    }
    const report = this.report;
    report.last = out.last;
    report.atoms = out.atoms;
    report.stop = out.stop;
    report.executed = out.executed;
    report.token = -1;
    if (out.handoff === 0 && out.ring === 0) {
      if (reportInline && !this.#delivery.hasNoComplete(out.last)) {
        this.#delivery.post({ atom: out.last, result: out.result, latencyNs: (performance.now() - start) * NS_PER_MS, atoms: out.atoms, mode: 0, stop: out.stop });
      }
      // (Truthiness, not `> 0`: a comparison first reached after this was optimized — a process whose
      // first chains all went asynchronous — deoptimized it. `last` is an address or 0.)
      return out.last || atom;
    }
    const token = tokens.take();
    tokens.listeners[token] = listener;
    tokens.starts[token] = reportInline ? start : performance.now();
    Atomics.store(tokens.chains.cancel, token, 0);
    Atomics.store(tokens.next, token, 0);
    tokens.chains.first[token] = atom;
    tokens.chains.executed[token] = out.executed;
    if (out.ring !== 0) {
      // The atom ran as an io_uring request: the chain goes on when it completes.
      tokens.atomsBefore[token] = out.atoms;
      tokens.inRing[token] = 1;
      (this.#uring as UringEngine).commit(token);
    } else {
      tokens.atomsBefore[token] = out.atoms;
      if (!this.#threads.ensure().submit(out.handoff, token, out.atoms, atom, out.executed)) {
        // Unreachable while the engine is open: a free token means room in the queue.
        tokens.give(token);
        return -EAGAIN;
      }
    }
    report.token = token;
    tokens.epochs[token] = this.#memory.hold();
    if (tokens.inflight++ === 0) this.#wake.ref();
    return 0;
  }

  /**
   * Hands the deny records of the inline run to `onDeny` now that the submission is complete. A
   * callback may submit chains itself; what the outer caller reads next (lastSubmit,
   * lastInlineStop, an inline completion) is its own submission's, so it is put back afterwards.
   */
  deliverDenies(): void {
    const out = this.outcome;
    const report = this.report;
    const { last, atoms, stop, handoff, ring, result, executed } = out;
    const { last: reportLast, atoms: reportAtoms, stop: reportStop, executed: reportExecuted, token } = report;
    try {
      this.#executor.deliverDenies();
    } finally {
      out.last = last;
      out.atoms = atoms;
      out.stop = stop;
      out.handoff = handoff;
      out.ring = ring;
      out.result = result;
      out.executed = executed;
      report.last = reportLast;
      report.atoms = reportAtoms;
      report.stop = reportStop;
      report.executed = reportExecuted;
      report.token = token;
    }
  }

  /** Engine.submitAfter: see there. */
  submitAfter(atom: number, listener: ChainListener, predecessor: number): number {
    const tokens = this.#tokens;
    if (tokens.closed) return -ESHUTDOWN;
    if (!(Number.isSafeInteger(atom) && atom > 0 && this.#memory.find(atom, ATOM.size) !== null)) return -EFAULT;
    if (!Number.isSafeInteger(predecessor) || predecessor < 0 || predecessor >= MAX_INFLIGHT || (tokens.listeners[predecessor] ?? null) === null) return -EINVAL;
    if (tokens.successors.hasSuccessor(predecessor)) return -EBUSY;
    if (tokens.free === 0) return -EAGAIN;
    // A successor runs on a cachemiss thread whatever engine its predecessor is in: one that
    // ends on a thread runs it there; one in the io_uring ring ends on this thread, which then
    // queues it (ChainEndings.endHere).
    const pool = this.#threads.ensure();
    const token = tokens.take();
    Atomics.store(tokens.chains.cancel, token, 0);
    Atomics.store(tokens.next, token, 0);
    const linked = pool.submitAfter(atom, token, predecessor);
    if (linked === 'refused') {
      tokens.give(token);
      return -EAGAIN;
    }
    tokens.listeners[token] = listener;
    tokens.starts[token] = performance.now();
    tokens.atomsBefore[token] = 0;
    // Queued too (the predecessor had ended): another thread may finish it first, and it is
    // still delivered after the predecessor.
    tokens.successors.link(token, predecessor);
    const report = this.report;
    report.last = 0;
    report.atoms = 0;
    report.stop = 0;
    report.executed = 0;
    report.token = token;
    tokens.epochs[token] = this.#memory.hold();
    if (tokens.inflight++ === 0) this.#wake.ref();
    return 0;
  }

  /** Engine.withdraw: see there. */
  withdraw(token: number, listener: ChainListener): boolean {
    const tokens = this.#tokens;
    const pool = this.#threads.pool;
    if (pool === null || !Number.isSafeInteger(token) || token < 0 || token >= MAX_INFLIGHT || tokens.listeners[token] !== listener) return false;
    const predecessor = tokens.successors.predecessorOf(token);
    if (predecessor < 0 || !pool.unlink(token, predecessor)) return false;
    tokens.successors.remove(token);
    tokens.listeners[token] = null;
    tokens.give(token);
    this.#memory.unhold(tokens.epochs[token] as number);
    if (--tokens.inflight === 0) this.#wake.unref();
    return true;
  }
}
