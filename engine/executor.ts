/**
 * The executor: runs a chain of atoms with syslet semantics. The same code runs on the calling
 * thread (mode `inline`: non-blocking probes, hand off on "would block") and in cachemiss threads
 * (mode `cachemiss`: plain blocking calls). Every dereference goes through the memory registry,
 * so a bad pointer becomes -EFAULT in the atom's result, never a crash; every call goes through
 * the policy and the table's argument kinds before it reaches the kernel.
 *
 * The hot path allocates nothing: arguments, outcome and probe scratch are reused.
 */
import { type Word, EFAULT, EINTR, EINVAL } from './native/index.js';
import {
  ATOM, STOP, SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, stopFlagFires,
  SYSLET_VALID_FLAGS, type StopReason,
} from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Policy } from './policy.js';
import { DenyLog } from './deny-log.js';
import { readPointer, writeWord } from './words.js';
import { EXECUTED_SPAN, KICK_NONE, type ExecOutcome, type ExecutorOptions, type RingPort } from './executor-types.js';
import { AtomCall, RING } from './atom-call.js';
import { CannedRunner, type CannedChain } from './executor-canned.js';
import { forgetLocalFds } from './remote-mounts.js';

export { DEFAULT_EXECUTOR_OPTIONS, EXECUTED_ATOMS, KICK_NONE, newOutcome, type ChainTable, type ExecOutcome, type ExecutorOptions, type RingPort } from './executor-types.js';

const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** Runs chains of 64-bit atoms against one memory registry and one policy. */
export class Executor {
  readonly #memory: MemoryRegistry;
  readonly #inline: boolean;
  readonly #options: ExecutorOptions;
  readonly #denies: DenyLog;
  // One atom's call: arguments, policy, confinement, the call (engine/atom-call.ts).
  readonly #call: AtomCall;
  // Canned chains (engine/executor-canned.ts), on the calling thread's executor only.
  readonly #canned: CannedRunner | null;

  constructor(memory: MemoryRegistry, policy: Policy, mode: 'inline' | 'cachemiss', options: ExecutorOptions) {
    this.#memory = memory;
    this.#inline = mode === 'inline';
    this.#options = options;
    this.#denies = new DenyLog(this.#inline, options.onDeny);
    this.#call = new AtomCall(memory, policy, options, this.#denies);
    this.#canned = this.#inline ? new CannedRunner(memory, policy, this.#call, options, (atom, out, region, first) => this.walk(atom, out, 0, region, -1, first)) : null;
  }

  /**
   * runCanned - (inline) run the canned chain `plan`, whose first atom lies in `region`: what
   * {@link run}(plan.first, out, 0, region) does, through the plan (engine/executor-canned.ts).
   */
  runCanned(plan: CannedChain, out: ExecOutcome, region: Region): void {
    if (this.#canned === null) {
      this.run(plan.first, out, 0, region);
      return;
    }
    forgetLocalFds();
    this.#canned.run(plan, out, region);
    forgetLocalFds();
  }

  /** Whether deny records wait for {@link deliverDenies} (inline mode only). */
  get hasPendingDenies(): boolean {
    return this.#denies.pending;
  }

  /**
   * deliverDenies - (inline mode) hand the deny records of the runs so far to `onDeny`, in order.
   * A callback may submit chains again: the records are taken first, so a nested run keeps its
   * own. If callbacks throw, every record is still delivered and the first error is rethrown.
   */
  deliverDenies(): void {
    this.#denies.deliver();
  }

  /** The registry this executor dereferences through. */
  get memory(): MemoryRegistry {
    return this.#memory;
  }

  /**
   * run - execute a chain from `atom` until it ends, stops, faults, or (inline) must hand off.
   *
   * @param atom - address of the first atom to run; it must already be known to lie in memory.
   * @param out - receives what happened.
   * @param atomsBefore - atoms this chain already ran elsewhere (for the total bound).
   * @param firstRegion - the region holding `atom`, when the caller has just looked it up.
   * @param token - on a cachemiss thread, the chain's token in the {@link ChainTable} (-1: none).
   */
  run(atom: number, out: ExecOutcome, atomsBefore = 0, firstRegion: Region | null = null, token = -1): void {
    const chains = token >= 0 ? (this.#options.chains ?? null) : null;
    out.last = 0;
    out.atoms = 0;
    out.stop = STOP.end;
    out.handoff = 0;
    out.ring = 0;
    out.result = 0;
    out.executed = chains === null ? 0 : (chains.executed[token] as number);
    // `executed` bits are relative to the chain's first atom, wherever this run starts.
    // The fds a run remembers opening local are its own (remote-mounts.ts): none before, none after.
    forgetLocalFds();
    this.walk(atom, out, atomsBefore, firstRegion, token, chains === null ? atom : (chains.first[token] as number));
    forgetLocalFds();
  }

  /**
   * walk - {@link run}'s loop, from `atom`, on an outcome that already says what ran before it in
   * this run (`out.atoms`, `out.executed`, `out.last`, `out.result`): run() starts it on a reset
   * outcome; a canned chain (engine/executor-canned.ts) continues with it where its plan ends.
   *
   * @param first - the chain's first atom, which `executed` bits are relative to.
   */
  walk(atom: number, out: ExecOutcome, atomsBefore: number, firstRegion: Region | null, token: number, first: number): void {
    const memory = this.#memory;
    const inline = this.#inline;
    const budget = inline ? this.#options.inlineBudget : Number.POSITIVE_INFINITY;
    const limit = this.#options.maxAtomsPerChain - atomsBefore;
    const cancel = this.#options.cancelFlag;
    const progress = this.#options.progress;
    const chains = token >= 0 ? (this.#options.chains ?? null) : null;
    let executed = out.executed;
    let current = atom;
    let nextRegion: Region | null = firstRegion;
    for (;;) {
      if (out.atoms >= limit) {
        out.stop = STOP.limit;
        if (out.last === 0) out.last = current;
        return;
      }
      if (out.atoms >= budget) {
        out.handoff = current;
        return;
      }
      if ((cancel !== undefined && Atomics.load(cancel.array, cancel.index) !== 0) || (chains !== null && Atomics.load(chains.cancel, token) !== 0)) {
        out.stop = STOP.cancelled;
        if (out.last === 0) out.last = current;
        return;
      }
      // The next atom's region was found when it was validated below; only the first is looked up here.
      const region: Region | null = nextRegion ?? memory.find(current, ATOM.size);
      nextRegion = null;
      if (region === null) {
        // Only the first atom can get here (later ones are checked before the jump): its memory
        // was freed while the chain waited for a cachemiss thread. The completion names it.
        out.last = current;
        out.stop = STOP.fault;
        out.result = -EFAULT;
        return;
      }
      const view = region.view;
      const base = current - region.start;
      // An atom run before with the same words is not decoded again (engine/atom-decode.ts);
      // anything unusual about it (a fault, unknown flags or call) leaves it to the generic path.
      let decoded = this.#call.decoder.get(region, base, current);
      let flags: number;
      let ret: number;
      let retRegion: Region | null;
      const relative = current - first;
      // Bit of this atom in the executed mask, or 0 when it lies outside the recorded span. The
      // modulo is taken on an int32 (`| 0`, exact inside the span): on the double the addresses
      // are, `%` is a call to fmod, which cost more than the rest of this test.
      const bit = relative >= 0 && relative < EXECUTED_SPAN && (relative | 0) % ATOM.size === 0 ? 1 << ((relative | 0) / ATOM.size) : 0;
      if (decoded !== null) {
        flags = decoded.flags;
        ret = decoded.ret;
        retRegion = decoded.retRegion;
      } else {
        const flagsHi = view.getUint32(base + 4, true);
        flags = view.getUint32(base, true);
        ret = readPointer(view, base + ATOM.ret_ptr);
        // Cells usually sit in the atom's own region (a plugin instance is one slab): test it first.
        retRegion = ret <= 0 ? null : ret >= region.start && ret + 8 <= region.end ? region : memory.find(ret, 8);
        if (ret !== 0 && retRegion === null) {
          // Nowhere to put the result: the chain stops here without running the call.
          out.last = current;
          out.atoms++;
          out.executed = executed | bit;
          if (chains !== null) chains.executed[token] = out.executed;
          out.stop = STOP.fault;
          out.result = -EFAULT;
          return;
        }
        if (flagsHi !== 0 || (flags & ~SYSLET_VALID_FLAGS) !== 0) {
          // Unknown flag bits: the atom fails without running, and the chain cannot go on safely.
          if (retRegion !== null) writeWord(retRegion, ret, -EINVAL);
          out.last = current;
          out.atoms++;
          out.executed = executed | bit;
          if (chains !== null) chains.executed[token] = out.executed;
          out.result = -EINVAL;
          out.stop = STOP.fault;
          return;
        }
      }
      const forceAsync = inline && (flags & SYSLET_ASYNC) !== 0 && out.atoms === 0 && atomsBefore === 0;
      const call = this.#call;
      if (forceAsync && call.ring === undefined) {
        out.handoff = current;
        return;
      }
      if (progress !== undefined) {
        progress.array[progress.index * 2] = current;
        progress.array[progress.index * 2 + 1] = out.atoms;
      }
      call.forceAsync = forceAsync;
      let result = decoded !== null ? call.executeDecoded(decoded, current, inline) : call.execute(region, base, current, flags, inline);
      call.forceAsync = false;
      // A signal the pool sent to stop a chain this thread had already finished: make the call again.
      // (`typeof` first throughout: a result is a number, a bigint or a marker symbol, and a
      // comparison V8 cannot type is a call into its generic StrictEqual, several per atom.)
      // (Only for a call that can be interrupted at all: -4 is a value for umem_add — a countdown
      // passing -4 was made twice when a stale kick was pending.)
      while (typeof result === 'number' && result === -EINTR && call.mayBeInterrupted(decoded !== null ? decoded.nr : view.getUint32(base + ATOM.nr, true)) && (this.#staleKick(token) || this.#watchdogTick(token))) {
        // (Decoded again: the interrupted call may have written into the atom.)
        decoded = decoded !== null ? call.decoder.get(region, base, current) : null;
        result = decoded !== null ? call.executeDecoded(decoded, current, inline) : call.execute(region, base, current, flags, inline);
      }
      if (typeof result === 'symbol') {
        if (result === RING) {
          // The call was made as an io_uring request: the atom ran now; its result comes later.
          (call.ring as RingPort).bind(current, flags, ret, retRegion);
          out.ring = current;
          out.executed = executed | bit;
          if (chains !== null) chains.executed[token] = out.executed;
          return;
        }
        out.handoff = current;
        return;
      }
      if (forceAsync) {
        // SYSLET_ASYNC that the ring did not take (no opcode, or the atom fails its checks):
        // the thread runs it, as it would without the ring — checks, deny record and all.
        out.handoff = current;
        return;
      }
      // Exact results: a bigint only when it does not fit in a double (then it is never 0).
      const value: Word = typeof result === 'number' || result > MAX_SAFE_BIG || result < -MAX_SAFE_BIG ? result : Number(result);
      if (retRegion !== null) {
        // An int32 result (a count, an errno) goes through the decoded cell's int32s; a detached
        // buffer's (length 0) through the DataView, which throws as it always did.
        const cell = decoded !== null ? decoded.retCell : null;
        if (cell !== null && typeof value === 'number' && (value | 0) === value && cell.length === 2) {
          cell[0] = value;
          cell[1] = value >> 31;
        } else {
          writeWord(retRegion, ret, value);
        }
      }
      out.last = current;
      out.atoms++;
      out.result = value;
      executed |= bit;
      out.executed = executed;
      if (chains !== null) chains.executed[token] = executed;
      const isNumber = typeof value === 'number';
      if (isNumber && value === -EINTR && ((cancel !== undefined && Atomics.load(cancel.array, cancel.index) !== 0) || (chains !== null && Atomics.load(chains.cancel, token) !== 0)) && call.mayBeInterrupted(decoded !== null ? decoded.nr : view.getUint32(base + ATOM.nr, true))) {
        // The engine interrupted this call to shut down or to cancel this chain: the chain was
        // cancelled, not finished.
        out.stop = STOP.cancelled;
        return;
      }
      const stopped = stopFlagFires(flags, value);
      let next: number;
      if (stopped) {
        if ((flags & SYSLET_SKIP_TO_NEXT_ON_STOP) === 0) {
          out.stop = STOP.flag;
          return;
        }
        next = current + ATOM.size;
        nextRegion = next >= region.start && next + ATOM.size <= region.end ? region : memory.find(next, ATOM.size);
      } else if (decoded !== null && view.getInt32(base + ATOM.next, true) === decoded.words[6] && view.getInt32(base + ATOM.next + 4, true) === decoded.words[7] && decoded.version === memory.version) {
        // `next` is read after the call, which may have rewritten it: the decoded one only if the words are still the same.
        next = decoded.next;
        // Loaded before the end test, on the path every chain's last atom takes: a load only a
        // continuing chain reached had no type feedback in a fresh process, whose first reads all
        // go to the ring and end here; the first inline hit then deoptimized run() and what
        // inlines it (P2 cold: one more TurboFan compile of the request path).
        const decodedNextRegion = decoded.nextRegion;
        if (next === 0) {
          out.stop = STOP.end;
          return;
        }
        nextRegion = decodedNextRegion;
      } else {
        next = readPointer(view, base + ATOM.next);
        if (next === 0) {
          out.stop = STOP.end;
          return;
        }
        nextRegion = next < 0 ? null : next >= region.start && next + ATOM.size <= region.end ? region : memory.find(next, ATOM.size);
      }
      if (nextRegion === null) {
        // The atom whose next (or skip target) is bad takes the fault as its result.
        if (retRegion !== null) writeWord(retRegion, ret, -EFAULT);
        out.result = -EFAULT;
        out.stop = STOP.fault;
        return;
      }
      current = next;
    }
  }

  /** Whether the engine is closing (the shared cancel flag) or the chain with `token` was cancelled. */
  #stopping(token: number): boolean {
    const cancel = this.#options.cancelFlag;
    if (cancel !== undefined && Atomics.load(cancel.array, cancel.index) !== 0) return true;
    const chains = this.#options.chains;
    return chains !== undefined && token >= 0 && Atomics.load(chains.cancel, token) !== 0;
  }

  /**
   * Whether the last -EINTR came from this cachemiss thread's watchdog (see
   * engine/cachemiss-watchdog.ts), so the call is made again: the timer ran during it, the chain
   * was not cancelled, the engine is not closing, and no kick names this chain (the pool's
   * signals come with one of those; every other signal is blocked on the thread).
   */
  #watchdogTick(token: number): boolean {
    const options = this.#options;
    if (options.watchdog?.running !== true || this.#stopping(token)) return false;
    const kick = options.kick;
    return kick === undefined || Atomics.load(kick.array, kick.index) !== token;
  }

  /**
   * Whether the last -EINTR came from a signal the pool sent for another chain (one this thread
   * finished just before): clears the mark. A close() or this chain's own cancel is never stale.
   */
  #staleKick(token: number): boolean {
    const kick = this.#options.kick;
    if (kick === undefined || token < 0 || this.#stopping(token)) return false;
    const target = Atomics.load(kick.array, kick.index);
    if (target === KICK_NONE || target === token) return false;
    Atomics.compareExchange(kick.array, kick.index, target, KICK_NONE);
    return true;
  }

  /**
   * resume - (the calling thread, io_uring engine) the atom at `atom` ran as an io_uring request
   * and completed with `value`: store the result, apply its stop flags and follow its `next`, as
   * {@link run} does after a blocking call returns, then run the rest of the chain inline.
   * `out` receives the outcome; its `atoms` and `executed` include this atom.
   *
   * @param flags - the atom's flags as read when it ran; `ret`/`retRegion` its result cell then.
   * @param atomsBefore - atoms the chain ran before this one.
   * @param token - the chain's token in the {@link ChainTable} (its first atom, executed mask, cancel flag).
   */
  resume(atom: number, flags: number, ret: number, retRegion: Region | null, value: number, out: ExecOutcome, atomsBefore: number, token: number): void {
    if (retRegion !== null) writeWord(retRegion, ret, value);
    const chains = this.#options.chains;
    const cancelled = chains !== undefined && token >= 0 && Atomics.load(chains.cancel, token) !== 0;
    const stopped = stopFlagFires(flags, value);
    if (cancelled && value === -EINTR) return this.#resumeEnds(out, atom, STOP.cancelled, value, token);
    let next: number;
    if (stopped) {
      if ((flags & SYSLET_SKIP_TO_NEXT_ON_STOP) === 0) return this.#resumeEnds(out, atom, STOP.flag, value, token);
      next = atom + ATOM.size;
    } else {
      const region = this.#memory.find(atom, ATOM.size);
      next = region === null ? 0 : readPointer(region.view, atom - region.start + ATOM.next);
      if (next === 0) return this.#resumeEnds(out, atom, STOP.end, value, token);
    }
    const nextRegion = next < 0 ? null : this.#memory.find(next, ATOM.size);
    if (nextRegion === null) {
      // The atom whose next (or skip target) is bad takes the fault as its result.
      if (retRegion !== null) writeWord(retRegion, ret, -EFAULT);
      return this.#resumeEnds(out, atom, STOP.fault, -EFAULT, token);
    }
    this.run(next, out, atomsBefore + 1, nextRegion, token);
    if (out.atoms === 0 && out.handoff === 0 && out.ring === 0) {
      // Stopped before running its next atom (cancelled, the atom limit): as on a thread, the
      // completion names the ring atom, the last one that ran, with its result.
      out.last = atom;
      out.result = value;
    }
    out.atoms++;
  }

  /** A resumed chain ends at its io_uring atom (see {@link resume}). */
  #resumeEnds(out: ExecOutcome, atom: number, stop: StopReason, result: number, token: number): void {
    const chains = this.#options.chains;
    out.last = atom;
    out.atoms = 1;
    out.stop = stop;
    out.handoff = 0;
    out.ring = 0;
    out.result = result;
    out.executed = chains !== undefined && token >= 0 ? (chains.executed[token] as number) : 0;
  }

  /**
   * useRing - whether the chains run from now on may make would-block calls as io_uring
   * requests (default: yes, when the executor has a ring). Off, they hand off to a cachemiss
   * thread instead: a chain whose progress must not depend on the calling thread coming back
   * (the ring's completions are processed there) — a POSIX request that others queue behind.
   */
  useRing(allowed: boolean): void {
    this.#call.useRing(allowed);
  }
}
