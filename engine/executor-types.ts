/**
 * The executor's contract with the engine, the cachemiss threads and the io_uring engine: what a
 * run reports (ExecOutcome), the per-chain table threads share (ChainTable), the settings
 * (ExecutorOptions), the io_uring port (RingPort). Split from executor.ts by job; executor.ts
 * re-exports all of it.
 */
import type { Word } from './native/index.js';
import { ATOM, STOP, type StopReason } from './atom.js';
import type { Region } from './memory.js';
import type { TraceRecord } from './policy.js';
import type { CompiledSyscall } from './compiled-table.js';
import type { Confinement } from './confinement.js';

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
/** The bytes those atoms span. */
export const EXECUTED_SPAN = EXECUTED_ATOMS * ATOM.size;

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
  /**
   * Cachemiss threads: the thread's watchdog (engine/cachemiss-watchdog.ts), told before every
   * call that may block whether it may interrupt that call. A -EINTR of a call it ran for, in a
   * chain nobody cancelled, makes the call again.
   */
  readonly watchdog?: CallWatchdogPort;
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
   * @param punt - the request must not be tried in the submitting thread (IOSQE_ASYNC): a read
   *   or write larger than the inline limit (engine/probe.ts INLINE_COPY_BYTES), whose copy
   *   would hold the event loop inside io_uring_enter. A call on a file on a FUSE, NFS...
   *   mount is punted whatever this says (the ring asks, engine/remote-mounts.ts).
   * @returns false when the ring cannot make this call exactly as the syscall would (no opcode,
   *   an argument value the opcode treats differently, the ring full): a thread makes it.
   */
  prepare(compiled: CompiledSyscall, nr: number, args: readonly Word[], copies: Confinement | null, takesOffsets: boolean, punt: boolean): boolean;
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

/** The kick word's value when no interrupt is pending. */
export const KICK_NONE = -1;

/** Inline-path defaults, also used by cachemiss threads unless the engine says otherwise. */
export const DEFAULT_EXECUTOR_OPTIONS: ExecutorOptions = {
  maxAtomsPerChain: 1 << 20,
  inlineBudget: 4096,
  unprobeableWrite: 'handoff',
};

/** What the executor sees of a cachemiss thread's watchdog (engine/cachemiss-watchdog.ts). */
export interface CallWatchdogPort {
  /** Before a call that may block: run the timer during it (`runs`), or stop it. */
  before(runs: boolean): void;
  /** Whether the timer runs now (so a -EINTR may be its). */
  readonly running: boolean;
  /** Whether `fd` is a FIFO or a socket now (fstat). */
  isStream(fd: Word): boolean;
}
