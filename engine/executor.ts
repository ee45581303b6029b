/**
 * The executor: runs a chain of atoms with syslet semantics. The same code runs on the calling
 * thread (mode `inline`: non-blocking probes, hand off on "would block") and in cachemiss threads
 * (mode `cachemiss`: plain blocking calls). Every dereference goes through the memory registry,
 * so a bad pointer becomes -EFAULT in the atom's result, never a crash; every call goes through
 * the policy and the table's argument kinds before it reaches the kernel.
 *
 * The hot path allocates nothing: arguments, outcome and probe scratch are reused.
 */
import { syscall, type Word, EAGAIN, EFAULT, EINTR, EINVAL, EOPNOTSUPP, EPERM } from './native/index.js';
import {
  ATOM, MAX_ARGS, STOP, SYSLET_ASYNC, SYSLET_SKIP_TO_NEXT_ON_STOP, SYSLET_STOP_ON_NEGATIVE, SYSLET_STOP_ON_NONZERO,
  SYSLET_STOP_ON_NON_POSITIVE, SYSLET_STOP_ON_ZERO, SYSLET_SYNC, SYSLET_VALID_FLAGS, type StopReason,
} from './atom.js';
import type { MemoryRegistry, Region } from './memory.js';
import type { Policy, TraceRecord } from './policy.js';
import { compileTable, PROBE, BLOCK, type CompiledSyscall } from './compiled-table.js';
import { Confinement, PRIVATE_LAYOUT } from './confinement.js';
import { WOULD_BLOCK } from './private-syscalls.js';
import { SELF_SIGNALS_DENIED, syscallByNumber } from './syscalls/table.js';
import { RESOLVE_CACHED, RWF_NOWAIT } from './syscalls/abi.js';
import { NR } from './syscalls/nr.js';
import { readPointer, readWord, setWord, writeWord } from './words.js';
import { MSG_DONTWAIT, MSG_WAITALL, O_CREAT, O_TMPFILE, POLLIN } from './syscalls/constants.generated.js';

const SYS_preadv2 = NR.preadv2;
const SYS_pwritev2 = NR.pwritev2;
const SYS_openat2 = NR.openat2;
const SYS_ppoll = NR.ppoll;
const SYS_getpid = NR.getpid;
const MAX_SAFE_BIG = BigInt(Number.MAX_SAFE_INTEGER);

/** What one run of the executor did. Reused between runs: read it before the next run. */
export interface ExecOutcome {
  /**
   * Address of the last executed atom; when the run stopped before executing any (cancelled,
   * at the atom limit, or its first atom no longer in engine memory), the atom it stopped at —
   * so a completion always names an atom (a NULL one in the ring would read as an empty slot).
   * 0 only when an inline run hands off before its first atom.
   */
  last: number;
  /** Atoms executed in this run. */
  atoms: number;
  /** Why it stopped (meaningful when `handoff` is 0). */
  stop: StopReason;
  /** When non-zero, the chain must continue on a cachemiss thread from this atom. */
  handoff: number;
  /**
   * When non-zero, this atom ran as an io_uring request (see {@link RingPort}): the chain
   * continues, through {@link Executor.resume}, when its completion arrives.
   */
  ring: number;
  /**
   * The last executed atom's result, exact: a number while it is a safe integer, a bigint beyond
   * 2^53 (a umem_add counter, say). A bigint result is never 0 and never within ±2^53.
   */
  result: Word;
  /**
   * Which atoms ran, as a bit mask over the first {@link EXECUTED_ATOMS} atoms laid one after
   * another from the chain's first atom (bit i: the atom at first + i × 88 ran at least once).
   * A plugin instance is laid out that way, so this is its "executed" fact: unlike a sentinel in
   * the result cell, no result value can fake it.
   */
  executed: number;
}

/** Atoms (laid contiguously from the chain's first) whose execution {@link ExecOutcome.executed} records. */
export const EXECUTED_ATOMS = 32;
const EXECUTED_SPAN = EXECUTED_ATOMS * ATOM.size;

/**
 * Per-chain state shared between the calling thread and cachemiss threads, indexed by the
 * chain's token: its first atom (what `executed` bits are relative to), the bits already set by
 * the inline part, and a cancel flag that stops that one chain before its next atom.
 */
export interface ChainTable {
  /** The first atom's address, per token. */
  readonly first: Float64Array;
  /** The executed mask so far, per token (cachemiss threads keep it current atom by atom). */
  readonly executed: Int32Array;
  /** Non-zero: stop this chain before its next atom (and treat -EINTR as the cancellation). */
  readonly cancel: Int32Array;
}

/** Executor settings. */
export interface ExecutorOptions {
  /** Atoms one chain may run in total before it is stopped with reason `limit`. */
  readonly maxAtomsPerChain: number;
  /** Atoms the inline path runs before handing the rest of a long chain to a cachemiss thread. */
  readonly inlineBudget: number;
  /**
   * What an inline write does when the file system cannot say "would block" (RWF_NOWAIT gives
   * EOPNOTSUPP, as ext4 does for buffered writes): `handoff` (the default: a cachemiss thread
   * makes the write) or `inline` (make it here: a page-cache copy that may still stall).
   */
  readonly unprobeableWrite: 'handoff' | 'inline';
  /**
   * Called for every denied atom. On the calling thread (mode `inline`) the records are kept
   * until the run ends and handed over by {@link Executor.deliverDenies}: a callback never runs
   * in the middle of a chain, so it cannot re-enter the executor (issue 15 item 5).
   */
  readonly onDeny?: (record: TraceRecord) => void;
  /**
   * Fault injection (tests): called between the confinement check of a call whose checks
   * depended on memory its pointers name (iovecs, a socklen, a msghdr, a C string) and the call
   * itself — where another thread's write would land in a check-then-use race. Whatever it
   * changes in engine memory must not change what the kernel is given.
   */
  readonly betweenCheckAndCall?: (nr: number) => void;
  /**
   * A shared flag checked before every atom on cachemiss threads: when `array[index]` is non-zero
   * the chain stops with reason `cancelled` (engine close, process exit).
   */
  readonly cancelFlag?: { readonly array: Int32Array; readonly index: number };
  /**
   * Where a cachemiss thread publishes the atom it is about to run (`array[index * 2]`) and how
   * many atoms ran before it (`array[index * 2 + 1]`), so that if the thread dies the engine can
   * blame the right atom.
   */
  readonly progress?: { readonly array: Float64Array; readonly index: number };
  /** Cachemiss threads: the per-chain table (see {@link ChainTable}). */
  readonly chains?: ChainTable;
  /**
   * Cachemiss threads: the word where the pool writes the token of the chain it is about to
   * interrupt (`array[index]`) before it signals this thread. A signal meant for a chain this
   * thread has already finished must not fail the next one: a -EINTR while the word names
   * another chain makes the call again.
   */
  readonly kick?: { readonly array: Int32Array; readonly index: number };
  /** The calling thread's executor, with the io_uring engine: where would-block calls go first. */
  readonly ring?: RingPort;
}

// ---- The ring outcome: would-block calls as io_uring requests (engine/uring-engine.ts) ----

/**
 * What the inline executor sees of the io_uring engine. When a call would block (its probe said
 * so, its row says `handoff`, or the chain's first atom has SYSLET_ASYNC), the executor has
 * already read the arguments, applied the policy and checked confinement: instead of handing
 * the chain to a cachemiss thread it asks the ring to take the call with these argument values.
 * If the ring takes it, the atom has run — its request is the call, made now — and the chain
 * continues when the completion arrives ({@link Executor.resume}); if not, the chain hands off
 * as before and a thread makes the call.
 */
export interface RingPort {
  /**
   * prepare - take the call `nr` with these checked arguments as one io_uring request.
   * @param copies - the executor's confinement when its check copied indirect arguments (an
   *   iovec array, a msghdr, a socklen, a path): `args` then point at those private copies, which
   *   the request copies into memory of its own (the executor reuses its block for the next call).
   * @param takesOffsets - a positional probe of this very call (RWF_NOWAIT, offset ≥ 0) has
   *   just answered something other than ESPIPE: the fd takes offsets, as the syscall's own
   *   check (FMODE_PREAD/FMODE_PWRITE) says, so the ring need not ask the kernel again.
   * @returns false when the ring cannot make this call exactly as the syscall would (no opcode,
   *   an argument value the opcode treats differently, the ring full): a thread makes it.
   */
  prepare(compiled: CompiledSyscall, nr: number, args: readonly Word[], copies: Confinement | null, takesOffsets: boolean): boolean;
  /**
   * bind - the request just prepared belongs to the atom at `atom`, whose flags and result cell
   * were read when it ran (the completion is stored there).
   */
  bind(atom: number, flags: number, ret: number, retRegion: Region | null): void;
  /** skipProbe - whether the non-blocking probe of a read on `fd` is better left out (it keeps failing). */
  skipProbe(fd: Word): boolean;
  /** probed - a read probe on `fd` succeeded (`hit`) or would have blocked. */
  probed(fd: Word, hit: boolean): void;
}

/** newOutcome - a fresh outcome record. */
export function newOutcome(): ExecOutcome {
  return { last: 0, atoms: 0, stop: STOP.end, handoff: 0, ring: 0, result: 0, executed: 0 };
}

/** Runs chains of 64-bit atoms against one memory registry and one policy. */
export class Executor {
  readonly #memory: MemoryRegistry;
  readonly #policy: Policy;
  readonly #inline: boolean;
  readonly #options: ExecutorOptions;
  readonly #table: readonly (CompiledSyscall | undefined)[];
  readonly #args: Word[] = [0, 0, 0, 0, 0, 0];
  readonly #pid: number;
  readonly #confinement: Confinement;
  // Inline mode: deny records of the current run, delivered after it (see ExecutorOptions.onDeny).
  #denied: TraceRecord[] = [];
  // Probe scratch: an iovec, an open_how, a pollfd and a zero timespec, in the private block.
  readonly #scratch: DataView;
  readonly #scratchAddress: number;

  constructor(memory: MemoryRegistry, policy: Policy, mode: 'inline' | 'cachemiss', options: ExecutorOptions) {
    this.#memory = memory;
    this.#policy = policy;
    this.#inline = mode === 'inline';
    this.#options = options;
    this.#ring = options.ring;
    this.#table = compileTable();
    this.#pid = syscall(SYS_getpid);
    this.#confinement = new Confinement(memory);
    this.#scratch = this.#confinement.view;
    this.#scratchAddress = this.#confinement.address + PRIVATE_LAYOUT.probe;
  }

  /** Whether deny records wait for {@link deliverDenies} (inline mode only). */
  get hasPendingDenies(): boolean {
    return this.#denied.length > 0;
  }

  /**
   * deliverDenies - (inline mode) hand the deny records of the runs so far to `onDeny`, in order.
   * A callback may submit chains again: the records are taken first, so a nested run keeps its
   * own. If callbacks throw, every record is still delivered and the first error is rethrown.
   */
  deliverDenies(): void {
    const records = this.#denied;
    if (records.length === 0) return;
    this.#denied = [];
    const onDeny = this.#options.onDeny;
    if (onDeny === undefined) return;
    let failure: { error: unknown } | null = null;
    for (const record of records) {
      try {
        onDeny(record);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure !== null) throw failure.error;
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
    const memory = this.#memory;
    const inline = this.#inline;
    const budget = inline ? this.#options.inlineBudget : Number.POSITIVE_INFINITY;
    const limit = this.#options.maxAtomsPerChain - atomsBefore;
    const cancel = this.#options.cancelFlag;
    const progress = this.#options.progress;
    const chains = token >= 0 ? (this.#options.chains ?? null) : null;
    // `executed` bits are relative to the chain's first atom, wherever this run starts.
    const first = chains === null ? atom : (chains.first[token] as number);
    let executed = chains === null ? 0 : (chains.executed[token] as number);
    out.last = 0;
    out.atoms = 0;
    out.stop = STOP.end;
    out.handoff = 0;
    out.ring = 0;
    out.result = 0;
    out.executed = executed;
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
      const flagsHi = view.getUint32(base + 4, true);
      const flags = view.getUint32(base, true);
      const ret = readPointer(view, base + ATOM.ret_ptr);
      // Cells usually sit in the atom's own region (a plugin instance is one slab): test it first.
      const retRegion = ret <= 0 ? null : ret >= region.start && ret + 8 <= region.end ? region : memory.find(ret, 8);
      const relative = current - first;
      // Bit of this atom in the executed mask, or 0 when it lies outside the recorded span. The
      // modulo is taken on an int32 (`| 0`, exact inside the span): on the double the addresses
      // are, `%` is a call to fmod, which cost more than the rest of this test.
      const bit = relative >= 0 && relative < EXECUTED_SPAN && (relative | 0) % ATOM.size === 0 ? 1 << ((relative | 0) / ATOM.size) : 0;
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
      const forceAsync = inline && (flags & SYSLET_ASYNC) !== 0 && out.atoms === 0 && atomsBefore === 0;
      if (forceAsync && this.#ring === undefined) {
        out.handoff = current;
        return;
      }
      if (progress !== undefined) {
        progress.array[progress.index * 2] = current;
        progress.array[progress.index * 2 + 1] = out.atoms;
      }
      this.#forceAsync = forceAsync;
      let result = this.#execute(region, base, current, flags, inline);
      this.#forceAsync = false;
      // A signal the pool sent to stop a chain this thread had already finished: make the call again.
      while (result === -EINTR && this.#staleKick(token)) result = this.#execute(region, base, current, flags, inline);
      if (result === HANDOFF || (forceAsync && result !== RING)) {
        // SYSLET_ASYNC that the ring did not take (no opcode, or the atom fails its checks):
        // the thread runs it, as it would without the ring — checks, deny record and all.
        out.handoff = current;
        return;
      }
      if (result === RING) {
        // The call was made as an io_uring request: the atom ran now; its result comes later.
        (this.#ring as RingPort).bind(current, flags, ret, retRegion);
        out.ring = current;
        out.executed = executed | bit;
        if (chains !== null) chains.executed[token] = out.executed;
        return;
      }
      // Exact results: a bigint only when it does not fit in a double (then it is never 0).
      const value: Word = typeof result === 'number' || result > MAX_SAFE_BIG || result < -MAX_SAFE_BIG ? result : Number(result);
      if (retRegion !== null) writeWord(retRegion, ret, value);
      out.last = current;
      out.atoms++;
      out.result = value;
      executed |= bit;
      out.executed = executed;
      if (chains !== null) chains.executed[token] = executed;
      if (value === -EINTR && ((cancel !== undefined && Atomics.load(cancel.array, cancel.index) !== 0) || (chains !== null && Atomics.load(chains.cancel, token) !== 0))) {
        // The engine interrupted this call to shut down or to cancel this chain: the chain was
        // cancelled, not finished.
        out.stop = STOP.cancelled;
        return;
      }
      const negative = typeof value === 'number' ? value < 0 : value < 0n;
      const stopped =
        ((flags & SYSLET_STOP_ON_NONZERO) !== 0 && value !== 0) ||
        ((flags & SYSLET_STOP_ON_ZERO) !== 0 && value === 0) ||
        ((flags & SYSLET_STOP_ON_NEGATIVE) !== 0 && negative) ||
        ((flags & SYSLET_STOP_ON_NON_POSITIVE) !== 0 && (negative || value === 0));
      let next: number;
      if (stopped) {
        if ((flags & SYSLET_SKIP_TO_NEXT_ON_STOP) === 0) {
          out.stop = STOP.flag;
          return;
        }
        next = current + ATOM.size;
      } else {
        next = readPointer(view, base + ATOM.next);
        if (next === 0) {
          out.stop = STOP.end;
          return;
        }
      }
      nextRegion = next < 0 ? null : next >= region.start && next + ATOM.size <= region.end ? region : memory.find(next, ATOM.size);
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

  /**
   * Whether the last -EINTR came from a signal the pool sent for another chain (one this thread
   * finished just before): clears the mark. A close() or this chain's own cancel is never stale.
   */
  #staleKick(token: number): boolean {
    const kick = this.#options.kick;
    if (kick === undefined || token < 0) return false;
    const cancel = this.#options.cancelFlag;
    if (cancel !== undefined && Atomics.load(cancel.array, cancel.index) !== 0) return false;
    const chains = this.#options.chains;
    if (chains !== undefined && Atomics.load(chains.cancel, token) !== 0) return false;
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
    const stopped =
      ((flags & SYSLET_STOP_ON_NONZERO) !== 0 && value !== 0) ||
      ((flags & SYSLET_STOP_ON_ZERO) !== 0 && value === 0) ||
      ((flags & SYSLET_STOP_ON_NEGATIVE) !== 0 && value < 0) ||
      ((flags & SYSLET_STOP_ON_NON_POSITIVE) !== 0 && value <= 0);
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

  // Set when a short RWF_NOWAIT preadv moved the private iovecs on (they no longer describe the call).
  #iovecsAdvanced = false;

  // Set by run() for the atom it executes: SYSLET_ASYNC on the first atom of a chain, with the
  // ring: skip the probe and go to the ring (or a thread) at once.
  #forceAsync = false;
  // Where would-block calls go first (ExecutorOptions.ring), unless the chain being run stays
  // off the ring (see useRing).
  #ring: RingPort | undefined;

  /**
   * useRing - whether the chains run from now on may make would-block calls as io_uring
   * requests (default: yes, when the executor has a ring). Off, they hand off to a cachemiss
   * thread instead: a chain whose progress must not depend on the calling thread coming back
   * (the ring's completions are processed there) — a POSIX request that others queue behind.
   */
  useRing(allowed: boolean): void {
    this.#ring = allowed ? this.#options.ring : undefined;
  }

  /** Where a would-block call goes: the ring when it takes the call, else a cachemiss thread. */
  #ringOrHandoff(compiled: CompiledSyscall, nr: number, args: Word[], takesOffsets = false): typeof RING | typeof HANDOFF {
    const ring = this.#ring;
    return ring !== undefined && ring.prepare(compiled, nr, args, this.#confinement.copied ? this.#confinement : null, takesOffsets) ? RING : HANDOFF;
  }

  /** Reads the arguments, applies policy and confinement, and makes the call. */
  #execute(region: Region, base: number, atom: number, flags: number, inline: boolean): number | bigint | typeof HANDOFF | typeof RING {
    const view = region.view;
    const nr = view.getUint32(base + ATOM.nr, true);
    if (view.getUint32(base + ATOM.nr + 4, true) !== 0) return -EINVAL;
    const verdict = this.#policy.check(nr);
    if (verdict !== 0) {
      // (An ASYNC atom the ring cannot take is denied on its thread: one record, not two.)
      if (verdict === -EPERM && !this.#forceAsync) this.#deny(atom, nr, this.#policy.ruleFor(nr), inline);
      return verdict;
    }
    const compiled = this.#table[nr];
    if (compiled === undefined) return -EINVAL;
    const args = this.#args;
    // Arguments are read through their pointers now, at execution time, up to the first NULL
    // pointer (as copy_uatom did): later atoms see what earlier ones wrote.
    const start = region.start;
    const end = region.end;
    let i = 0;
    for (; i < MAX_ARGS; i++) {
      const pointer = readPointer(view, base + ATOM.arg_ptr + i * 8);
      if (pointer === 0) break;
      // Cells usually sit in the atom's own region (a plugin instance is one slab).
      const cell = pointer <= 0 ? null : pointer >= start && pointer + 8 <= end ? region : this.#memory.find(pointer, 8);
      if (cell === null) return -EFAULT;
      args[i] = readWord(cell.view, pointer - cell.start);
    }
    for (; i < MAX_ARGS; i++) args[i] = 0;
    if (compiled.selfArg >= 0) {
      // (An ASYNC atom the ring cannot take is denied on its thread: one record, not two.)
      if (args[compiled.selfArg] !== this.#pid) {
        if (!this.#forceAsync) this.#deny(atom, nr, `self-only: ${compiled.spec.name} may only target this process (${this.#pid})`, inline);
        return -EPERM;
      }
      const signal = args[compiled.signalArg];
      const refused = typeof signal === 'number' ? SELF_SIGNALS_DENIED[signal] : undefined;
      if (refused !== undefined) {
        if (!this.#forceAsync) this.#deny(atom, nr, `self-only: ${compiled.spec.name} may not send ${refused.name} (${String(signal)}) to this process: ${refused.reason}`, inline);
        return -EPERM;
      }
    }
    if (compiled.checks.length === 0) {
      // Nothing checked, nothing copied (the ring must not take a previous call's copies).
      this.#confinement.copied = false;
      if (compiled.impl !== null) return this.#private(compiled, args, flags, inline);
    } else {
      const confinement = this.#confinement;
      const check = confinement.check(compiled, args);
      if (check !== 0) return check;
      if (confinement.copied) {
        this.#options.betweenCheckAndCall?.(nr);
        const result = compiled.impl !== null ? this.#private(compiled, args, flags, inline) : this.#call(compiled, nr, args, flags, inline);
        // A request in the ring has its own copies, written back when it completes.
        if (result !== HANDOFF && result !== RING) confinement.writeBack(result);
        return result;
      }
      if (compiled.impl !== null) return this.#private(compiled, args, flags, inline);
    }
    return this.#call(compiled, nr, args, flags, inline);
  }

  /**
   * Runs a syslet-private call. Inline, a call that may block either hands off at once (no probe)
   * or answers WOULD_BLOCK (the compat calls probe the dcache), and the chain moves to a thread.
   */
  #private(compiled: CompiledSyscall, args: Word[], flags: number, inline: boolean): number | bigint | typeof HANDOFF {
    // SYSLET_ASYNC with the ring: no inline attempt, and a private call has no opcode.
    if (this.#forceAsync) return HANDOFF;
    const mayNotBlock = inline && (flags & SYSLET_SYNC) === 0;
    if (mayNotBlock && compiled.block === BLOCK.handoff) return HANDOFF;
    const result = (compiled.impl as NonNullable<CompiledSyscall['impl']>)(args, this.#memory, mayNotBlock, this.#confinement.regions);
    return result === WOULD_BLOCK ? HANDOFF : result;
  }

  /** Makes a checked call: its non-blocking form inline, the plain call on a cachemiss thread. */
  #call(compiled: CompiledSyscall, nr: number, args: Word[], flags: number, inline: boolean): number | typeof HANDOFF | typeof RING {
    // SYSLET_ASYNC with the ring: no inline attempt.
    if (this.#forceAsync) return this.#ringOrHandoff(compiled, nr, args);
    if (inline && (flags & SYSLET_SYNC) === 0) {
      if (compiled.block === BLOCK.handoff) return this.#ringOrHandoff(compiled, nr, args);
      if (compiled.block === BLOCK.probe) {
        const ring = this.#ring;
        if (ring === undefined) return this.#probe(compiled, nr, args);
        const reads = compiled.probe === PROBE.rwfRead;
        // A file whose reads keep missing the page cache: the probe only costs (and starts the
        // read-ahead synchronously, on this thread); io_uring tries non-blocking first itself.
        if (reads && ring.skipProbe(args[0] as Word)) return this.#ringOrHandoff(compiled, nr, args);
        this.#iovecsAdvanced = false;
        const result = this.#probe(compiled, nr, args);
        if (reads) ring.probed(args[0] as Word, result !== HANDOFF);
        if (result !== HANDOFF) return result;
        // A short preadv that could not be finished without blocking advanced the private copy
        // of its iovecs past what it read: the thread makes the whole call again from the atom.
        // A positional probe that would block was not refused with ESPIPE (the syscall's check
        // comes first): the fd takes offsets, and the ring need not lseek to find out.
        return this.#iovecsAdvanced ? HANDOFF : this.#ringOrHandoff(compiled, nr, args, compiled.posArg >= 0 && (reads || compiled.probe === PROBE.rwfWrite));
      }
    }
    return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
  }

  /** Tries the non-blocking form of a may-block call; HANDOFF when it would block. */
  #probe(compiled: CompiledSyscall, nr: number, args: Word[]): number | typeof HANDOFF {
    const scratch = this.#scratch;
    const at = this.#scratchAddress;
    switch (compiled.probe) {
      case PROBE.rwfRead:
      case PROBE.rwfWrite: {
        const write = compiled.probe === PROBE.rwfWrite;
        // No per-fd memory of an EOPNOTSUPP answer: the program may close the number and get it
        // again for a pipe or a socket, which the engine cannot see, and checking the file's
        // identity (fstat) costs as much as the probe it would save.
        let iov: Word;
        let count: Word;
        let position: Word;
        let extraFlags: Word = 0;
        if (compiled.iovArg >= 0) {
          iov = args[1] as Word;
          count = args[2] as Word;
          position = compiled.posArg >= 0 ? (args[compiled.posArg] as Word) : -1;
          if (compiled.spec.name === 'preadv2' || compiled.spec.name === 'pwritev2') extraFlags = args[5] as Word;
        } else {
          setWord(scratch, 0, args[1] as Word);
          setWord(scratch, 8, args[2] as Word);
          iov = at;
          count = 1;
          position = compiled.posArg >= 0 ? (args[compiled.posArg] as Word) : -1;
        }
        // pread64(-1) must fail with EINVAL, but preadv2(-1) means "current position": no probe.
        if (compiled.posArg >= 0 && (typeof position === 'bigint' ? position < 0n : position < 0)) {
          return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        }
        const flags = typeof extraFlags === 'bigint' ? extraFlags | BigInt(RWF_NOWAIT) : extraFlags | RWF_NOWAIT;
        const result = syscall(write ? SYS_pwritev2 : SYS_preadv2, args[0], iov, count, position, 0, flags);
        if (result === -EAGAIN) return HANDOFF;
        if (!write && result > 0 && compiled.posArg >= 0 && typeof position === 'number') {
          // RWF_NOWAIT stops early where a blocking read goes on: at the first uncached page of a
          // file, or, in devices that copy in chunks (/dev/zero), whenever the task should
          // reschedule — so a short count says nothing about the end of the file. A short
          // positional read is continued here while the rest comes without blocking, until a read
          // returns 0 (the end); if the rest would block, the whole call is made again on a
          // cachemiss thread, which is safe because positional reads are idempotent. (A caller's
          // own RWF_NOWAIT asked for the short answer.)
          if (compiled.iovArg < 0) {
            const wanted = args[2];
            if (typeof wanted === 'number' && result < wanted) return this.#finishShortRead(args, result, wanted, position);
          } else if (result < this.#confinement.iovecBytes && !callerNowait(extraFlags)) {
            return this.#finishShortReadv(args[0] as Word, result, position, flags);
          }
        }
        if (result === -EOPNOTSUPP) {
          if (write && this.#options.unprobeableWrite === 'inline') {
            return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
          }
          return HANDOFF;
        }
        return result;
      }
      case PROBE.dontwait: {
        const flagsArg = compiled.flagsArg;
        const original = args[flagsArg] as Word;
        // MSG_WAITALL asks to wait for the whole buffer: a DONTWAIT probe would return it short.
        if ((typeof original === 'number' ? original & MSG_WAITALL : Number(original & BigInt(MSG_WAITALL))) !== 0) return HANDOFF;
        if ((typeof original === 'number' ? original & MSG_DONTWAIT : original & BigInt(MSG_DONTWAIT)) !== 0 && original !== 0) {
          return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        }
        args[flagsArg] = typeof original === 'number' ? original | MSG_DONTWAIT : original | BigInt(MSG_DONTWAIT);
        const result = syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
        // The call is made later without the probe's MSG_DONTWAIT (by the ring, from these args).
        args[flagsArg] = original;
        return result === -EAGAIN ? HANDOFF : result;
      }
      case PROBE.pollIn: {
        scratch.setInt32(48, Number(args[0]), true);
        scratch.setInt16(52, POLLIN, true);
        scratch.setInt16(54, 0, true);
        setWord(scratch, 64, 0);
        setWord(scratch, 72, 0);
        const ready = syscall(SYS_ppoll, at + 48, 1, at + 64, 0, 8);
        if (ready === 0) return HANDOFF;
        return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
      }
      case PROBE.resolveCached: {
        const openFlags = Number(args[2]);
        // struct open_how { u64 flags; u64 mode; u64 resolve; } — openat2 insists mode is 0
        // unless the call creates a file.
        setWord(scratch, 16, openFlags >>> 0);
        setWord(scratch, 24, (openFlags & (O_CREAT | O_TMPFILE)) !== 0 ? Number(args[3]) & 0o7777 : 0);
        setWord(scratch, 32, RESOLVE_CACHED);
        const result = syscall(SYS_openat2, args[0], args[1], at + 16, 24);
        // EAGAIN: not all in the dcache. EINVAL/ENOSYS: openat2 is stricter or missing; the real
        // openat decides, on a cachemiss thread.
        if (result === -EAGAIN || result === -EINVAL || result === -38) return HANDOFF;
        return result;
      }
      default:
        return syscall(nr, args[0], args[1], args[2], args[3], args[4], args[5]);
    }
  }

  /** Completes a short RWF_NOWAIT pread without blocking, or hands the whole call off. */
  #finishShortRead(args: Word[], done: number, wanted: number, position: number): number | typeof HANDOFF {
    const scratch = this.#scratch;
    const buffer = args[1] as number;
    let total = done;
    while (total < wanted) {
      setWord(scratch, 0, buffer + total);
      setWord(scratch, 8, wanted - total);
      const more = syscall(SYS_preadv2, args[0], this.#scratchAddress, 1, position + total, 0, RWF_NOWAIT);
      if (more === 0) return total;
      if (more < 0) return more === -EAGAIN ? HANDOFF : total;
      total += more;
    }
    return total;
  }

  /**
   * Completes a short RWF_NOWAIT preadv/preadv2 the same way, on the private copy of its iovecs
   * (advanced past what was read), or hands the whole call off.
   */
  #finishShortReadv(fd: Word, done: number, position: number, flags: Word): number | typeof HANDOFF {
    const confinement = this.#confinement;
    const total = confinement.iovecBytes;
    const count = confinement.iovecCount;
    const iovecs = confinement.address + PRIVATE_LAYOUT.iovecs;
    let sum = done;
    this.#iovecsAdvanced = true;
    let first = confinement.advanceIovecs(0, done);
    while (sum < total && first < count) {
      const more = syscall(SYS_preadv2, fd, iovecs + first * 16, count - first, position + sum, 0, flags);
      if (more === 0) return sum;
      if (more < 0) return more === -EAGAIN ? HANDOFF : sum;
      sum += more;
      first = confinement.advanceIovecs(first, more);
    }
    return sum;
  }

  #deny(atom: number, nr: number, rule: string, inline: boolean): void {
    const onDeny = this.#options.onDeny;
    if (onDeny === undefined) return;
    // Denied rows are not in the compiled table: name them from the full one.
    const name = syscallByNumber(nr)?.name ?? `nr ${nr}`;
    const record: TraceRecord = { atom, nr, name, rule, thread: inline ? 'inline' : 'cachemiss' };
    // Inline, the callback could submit a chain while this one is half run: it waits for the end.
    if (this.#inline) this.#denied.push(record);
    else onDeny(record);
  }
}

/** Whether a preadv2's own flags already ask for RWF_NOWAIT (then a short count is the answer). */
function callerNowait(flags: Word): boolean {
  return typeof flags === 'bigint' ? (flags & BigInt(RWF_NOWAIT)) !== 0n : (flags & RWF_NOWAIT) !== 0;
}

/** The kick word's value when no interrupt is pending. */
export const KICK_NONE = -1;

/** Marker result: the call would block, hand the chain off. */
const HANDOFF = Symbol('handoff');
/** Marker result: the call was made as an io_uring request (see RingPort). */
const RING = Symbol('ring');

/** Inline-path defaults, also used by cachemiss threads unless the engine says otherwise. */
export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  maxAtomsPerChain: 1 << 20,
  inlineBudget: 4096,
  unprobeableWrite: 'handoff',
};
