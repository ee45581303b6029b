/**
 * The engine's public option and result types, and the checks of its options and their defaults
 * (split from engine.ts, which re-exports the types).
 */
import type { Word } from './native/index.js';
import type { TraceRecord } from './policy.js';
import { availableParallelism } from 'node:os';
import { DEFAULT_EXECUTOR_OPTIONS, type ExecutorOptions } from './executor.js';
import type { RingCapabilities } from './ring.js';
import type { EngineKind } from './uring-select.js';
import type { RingDescription } from './uring-describe.js';

/** Engine settings. All optional. */
export interface EngineOptions {
  /** Most cachemiss threads (default: 4 per core, at least 8 — blocked threads cost no CPU). */
  readonly threads?: number;
  /** Milliseconds an idle cachemiss thread lingers (default 1000, glibc's aio_idle_time). */
  readonly idleTimeMs?: number;
  /**
   * Cachemiss threads started with the engine and kept alive while it is idle, so that the first
   * blocking requests find a thread ready instead of waiting for one to start (default: 2 with
   * cachemiss threads as the engine; 0 with io_uring, where threads serve only calls without an
   * opcode; at most `threads`; 0 starts threads only on demand). They never keep the process alive.
   */
  readonly minThreads?: number;
  /** Only these calls may run (narrowing the table's policy); see Policy.narrow. */
  readonly allow?: readonly string[];
  /** Atoms one chain may run in all before it stops with reason `limit` (default 2^20); a positive safe integer. */
  readonly maxAtomsPerChain?: number;
  /** Atoms a chain runs inline before the rest of it goes to a cachemiss thread (default 4096); a positive safe integer. */
  readonly inlineBudget?: number;
  /**
   * What an inline write does when the file system cannot say "would block" (RWF_NOWAIT gives
   * EOPNOTSUPP, as ext4 does for buffered writes): `'handoff'` (default) lets a cachemiss thread
   * make it; `'inline'` makes it on the calling thread (a page-cache copy that may still stall).
   */
  readonly unprobeableWrite?: ExecutorOptions['unprobeableWrite'];
  /** Called for every atom the policy denied, inline or on a cachemiss thread. */
  readonly onDeny?: (record: TraceRecord) => void;
  /**
   * What makes the calls that would block (see {@link AsyncEngineInfo}): `'auto'` (default)
   * io_uring where the kernel allows it and no seccomp filter is installed, else cachemiss
   * threads; `'io_uring'` io_uring whenever the kernel allows it; `'threads'` cachemiss threads
   * only. SYSLET_AIO_ENGINE=threads in the environment forces threads whatever this says.
   */
  readonly engine?: EngineKind;
}

/**
 * What makes an engine's would-block calls. With `io_uring`, a call that has an opcode is made as
 * an io_uring request from the calling thread and the chain continues there when it completes;
 * other calls (and every call with `threads`) go to cachemiss threads.
 */
export type AsyncEngineInfo =
  | ({ readonly kind: 'io_uring' } & RingDescription)
  | { readonly kind: 'threads'; /** Why io_uring is not used. */ readonly reason: string };

/** How a chain ended. */
export interface ChainCompletion {
  /** Address of its last executed atom. */
  readonly last: number;
  /**
   * That atom's result, exactly: a number while it is a safe integer (every errno, count and fd),
   * a bigint beyond 2^53 (a umem_add counter past 2^53, say). Compare with `Number(result)` or
   * `BigInt(result)` when either may come.
   */
  readonly result: Word;
  /** Atoms executed in all. */
  readonly atoms: number;
  /** Why it stopped (STOP). */
  readonly stop: number;
  /**
   * Where it finished: `'inline'` within the submitting call; `'cachemiss'` after it went
   * asynchronous (an io_uring completion or a cachemiss thread: see {@link Engine.asyncEngine}).
   */
  readonly mode: 'inline' | 'cachemiss';
  /** Submission to completion, in nanoseconds. */
  readonly latencyNs: number;
}

/** Receives the completion of one submitted chain that went asynchronous. */
export interface ChainListener {
  /**
   * chainDone - called once, on the JS thread, when the chain has finished on a cachemiss thread
   * (cancelled chains included, when the engine closes).
   *
   * @param last - address of its last executed atom.
   * @param result - that atom's result (`-errno` on failure), exact: a bigint beyond 2^53.
   * @param atoms - atoms executed in all, the inline part included.
   * @param stop - why it stopped (a `STOP` value).
   * @param latencyNs - submission to completion, in nanoseconds.
   * @param executed - which of the first 32 atoms laid from the chain's first one ran (bit i:
   *   the atom at first + i × 88), inline part included (see {@link ExecOutcome.executed}).
   */
  chainDone(last: number, result: Word, atoms: number, stop: number, latencyNs: number, executed: number): void;
}

/** What the most recent {@link Engine.submit} did before it returned. Reused: read it at once. */
export interface SubmitReport {
  /** Address of the last atom run on the calling thread (0: none). */
  readonly last: number;
  /** Atoms run on the calling thread. */
  readonly atoms: number;
  /** Why the chain stopped, when it completed inline (a STOP value). */
  readonly stop: number;
  /** The executed mask of the atoms run on the calling thread (see {@link ExecOutcome.executed}). */
  readonly executed: number;
  /** The chain's token when it went to a cachemiss thread (for {@link Engine.cancelChain}), else -1. */
  readonly token: number;
}

/** Options of {@link Engine.async_register}. */
export interface RingRegistration {
  /** Address of the ring: engine memory or a registered buffer. */
  readonly ring: bigint | number;
  /** The ring's size in bytes: a positive multiple of the entry size (8 for v1, 48 for v2). */
  readonly ringSizeBytes: number;
  /** The negotiated capabilities ({@link negotiateRing}); default version 1. */
  readonly capabilities?: RingCapabilities;
  /** Post chains that completed inline too (normally only async ones are posted). */
  readonly reportInline?: boolean;
}

/** @internal checkThreads - @throws RangeError unless `threads` is an integer from 1 to 1024. */
export function checkThreads(threads: number, field: string): void {
  if (!Number.isSafeInteger(threads) || threads < 1 || threads > 1024) throw new RangeError(`${field} must be an integer from 1 to 1024, got ${String(threads)}`);
}

/** @internal checkIdle - @throws RangeError unless `idleTimeMs` is a non-negative finite number. */
export function checkIdle(idleTimeMs: number): void {
  if (typeof idleTimeMs !== 'number' || !Number.isFinite(idleTimeMs) || idleTimeMs < 0) throw new RangeError(`idleTimeMs must be a non-negative number, got ${String(idleTimeMs)}`);
}

/**
 * @internal resolveEngineOptions - the Engine constructor's checks of its options, and the
 * defaults it fills in: the pool settings (`threads`, `idleTimeMs`) and the executor's options.
 * @throws RangeError for `threads`, `idleTimeMs`, `minThreads`, `maxAtomsPerChain` or
 *   `inlineBudget` out of range.
 */
export function resolveEngineOptions(options: EngineOptions): { settings: EngineOptions & { threads: number; idleTimeMs: number }; executorOptions: ExecutorOptions } {
  const threads = options.threads ?? Math.max(8, availableParallelism() * 4);
  checkThreads(threads, 'threads');
  if (options.idleTimeMs !== undefined) checkIdle(options.idleTimeMs);
  if (options.minThreads !== undefined && (!Number.isSafeInteger(options.minThreads) || options.minThreads < 0 || options.minThreads > 1024)) {
    throw new RangeError(`minThreads must be an integer from 0 to 1024, got ${String(options.minThreads)}`);
  }
  // Both bound what one chain may do (the executor compares counts with them): NaN compared false
  // and removed the only bound on a looping chain, which then ran for ever (hunt26).
  for (const field of ['maxAtomsPerChain', 'inlineBudget'] as const) {
    const value = options[field];
    if (value !== undefined && (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1)) {
      throw new RangeError(`${field} must be a positive integer, got ${typeof value === 'number' ? String(value) : typeof value}`);
    }
  }
  const settings = { ...options, threads, idleTimeMs: options.idleTimeMs ?? 1000 };
  const executorOptions: ExecutorOptions = {
    maxAtomsPerChain: options.maxAtomsPerChain ?? DEFAULT_EXECUTOR_OPTIONS.maxAtomsPerChain,
    inlineBudget: options.inlineBudget ?? DEFAULT_EXECUTOR_OPTIONS.inlineBudget,
    unprobeableWrite: options.unprobeableWrite ?? DEFAULT_EXECUTOR_OPTIONS.unprobeableWrite,
    ...(options.onDeny === undefined ? {} : { onDeny: options.onDeny }),
  };
  return { settings, executorOptions };
}
