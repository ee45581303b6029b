/**
 * What a plugin run gives back: every atom's outcome, where and why the chain stopped, the final
 * cells, scratch areas and `out` bytes — and the options that can stop it early.
 */
import type { Word } from '../engine/native/index.js';
import type { AbortError } from '../engine/errors.js';

/** One atom's outcome in a plugin run. */
export interface AtomOutcome {
  /** The atom's index in the plugin's template. */
  readonly index: number;
  /** Its id, when it has one. */
  readonly id?: string;
  /** The atom's syscall name. */
  readonly call: string;
  /** Whether the atom ran (the engine's record, not a value in the result cell). */
  readonly executed: boolean;
  /** Its one-word result (undefined when it did not run). */
  readonly result?: Word;
  /** The errno name when the result is negative. */
  readonly errno?: string;
}

/** Why a chain stopped: its next was NULL, a stop flag fired, a fault, the atom limit, a cancel (abort, timeout, engine close), its thread died. */
export type StopName = 'end' | 'flag' | 'fault' | 'limit' | 'cancelled' | 'died';

/** What {@link Plugin.run} resolves to. The type parameters name the plugin's cells, scratch areas, atom ids and `out` parameters. */
export interface PluginRunResult<C extends string = string, S extends string = string, Id extends string = string, Out extends string = string> {
  /** The plugin's name. */
  readonly plugin: string;
  /** Every atom's outcome, by template index (including those that did not run). */
  readonly atoms: readonly AtomOutcome[];
  /** The outcomes of the atoms that have an id, by id. */
  readonly byId: Readonly<Record<Id, AtomOutcome>>;
  /** Index of the last executed atom: where the chain stopped (-1 when none ran). */
  readonly last: number;
  /** That atom's id, when it has one. */
  readonly lastId?: string;
  /** Why the chain stopped. */
  readonly stop: StopName;
  /** Atoms executed in all (a loop's atoms count each time). */
  readonly atomsExecuted: number;
  /** Every local cell's final value. */
  readonly cells: Readonly<Record<C, Word>>;
  /** A copy of every scratch area as the chain left it. */
  readonly scratch: Readonly<Record<S, Buffer>>;
  /** The bytes of every `out` parameter (as many as it asked for; what the kernel did not write is zero). */
  readonly outputs: Readonly<Record<Out, Buffer>>;
  /** Whether the chain completed inline or on a cachemiss thread. */
  readonly mode: 'inline' | 'cachemiss';
  /** Submission to completion, in nanoseconds. */
  readonly latencyNs: number;
}

/** Options of {@link Plugin.run}. */
export interface RunOptions {
  /**
   * Aborting stops the chain before its next atom and interrupts a call it is blocked in; the
   * run then rejects with an AbortError (`cause`: the signal's reason; `result`: where it stopped).
   */
  readonly signal?: AbortSignal;
  /** Milliseconds after which the run is aborted as by a signal (the cause is a TimeoutError). */
  readonly timeout?: number;
}

/** The AbortError a run rejects with: where the chain stopped is in `result`. */
export interface PluginAbortError extends AbortError {
  /** The run's outcome: atoms that ran, `stop` (`'cancelled'` unless it ended first), `last`. */
  readonly result: PluginRunResult;
}
