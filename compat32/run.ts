/**
 * Running a converted chain: hand the 64-bit entry atom to the engine, wait for the whole chain
 * (inline or on a cachemiss thread), write the results back into 32-bit memory, and report the
 * completion in 32-bit terms.
 */
import type { Word } from '../engine/native/index.js';
import type { ChainCompletion } from '../engine/engine.js';
import { STOP_NAMES } from '../engine/atom.js';
import type { Conversion } from './convert.js';

/** The part of the engine compat32 needs. */
export interface Compat32Engine {
  /**
   * runChain - run a 64-bit chain and resolve with how it ended, inline or not.
   * @param atom - address of the 64-bit entry atom.
   * @returns the completion.
   * @throws RangeError when the submission is refused.
   */
  runChain(atom: number): Promise<ChainCompletion>;
  /**
   * runChainSync - like runChain, blocking the calling thread until the chain ends.
   * @param atom - address of the 64-bit entry atom.
   * @returns the completion.
   * @throws RangeError when the submission is refused.
   */
  runChainSync(atom: number): ChainCompletion;
}

/** One atom's outcome, read back from 32-bit memory. */
export interface AtomResult32 {
  /** The atom's index in reading order (0 = the entry atom). */
  readonly index: number;
  /** The atom's 32-bit address. */
  readonly address32: number;
  /** The syscall's table name. */
  readonly name: string;
  /** The 32-bit word at ret_ptr after write-back (a signed long), or null without ret_ptr. */
  readonly ret32: number | null;
}

/** How a 32-bit chain ended. */
export interface Completion32 {
  /** The 32-bit address of the last executed atom (0 if none ran). */
  readonly last32: number;
  /** Its result as the 32-bit program sees it (a signed 32-bit long). */
  readonly result32: number;
  /** The same result as the 64-bit engine produced it, exact (a bigint beyond 2^53). */
  readonly result64: Word;
  /** Atoms executed in all (loops count every run). */
  readonly atoms: number;
  /** Why it stopped, as the engine's numeric stop code (named in `stopName`). */
  readonly stop: number;
  /** The stop reason's name (end, flag, fault, limit, cancelled, died). */
  readonly stopName: string;
  /** Whether the chain completed inline or on a cachemiss thread. */
  readonly mode: 'inline' | 'cachemiss';
  /** Every converted atom's result word after write-back, in reading order. */
  readonly results: readonly AtomResult32[];
  /** Words and structs copied back. */
  readonly wroteBack: {
    /** 32-bit words written (result and umem words; a joined cell counts both halves). */
    readonly words: number;
    /** Out-structs converted back. */
    readonly structs: number;
  };
}

function complete(conversion: Conversion, done: ChainCompletion): Completion32 {
  const wroteBack = conversion.writeBack();
  const last = conversion.atomAt64(done.last);
  const results = conversion.atoms.map((atom): AtomResult32 => {
    const retPtr = atom.atom32.retPtr;
    // The 32-bit word is what the program will read; the cell's value truncated is the same.
    const ret32 = retPtr === 0 ? null : Number(BigInt.asIntN(32, conversion.cell64(atom.retCell64)));
    return { index: atom.atom32.index, address32: atom.atom32.address, name: atom.atom32.spec.name, ret32 };
  });
  return {
    last32: last?.atom32.address ?? 0, result32: typeof done.result === 'number' ? done.result | 0 : Number(BigInt.asIntN(32, done.result)), result64: done.result, atoms: done.atoms, stop: done.stop,
    stopName: STOP_NAMES[done.stop] ?? String(done.stop), mode: done.mode, results, wroteBack,
  };
}

/**
 * runConverted - run a converted chain to completion and write its results back.
 *
 * @param engine - the engine whose memory the conversion (and its arena) live in.
 * @param conversion - from convertChain.
 * @returns the completion in 32-bit terms; the 32-bit ret words, umem targets and out-structs
 *   hold their final values when it resolves (not before).
 * @throws RangeError from the engine when it refuses the submission (closed engine: ESHUTDOWN);
 *   ConversionError (EFAULT) when the conversion or its arena is already closed. Closing either
 *   while the run is in flight is safe: they are released when it has ended.
 * @example
 * ```ts
 * using conversion = convertChain(arena, engine.memory, image.entry);
 * const done = await runConverted(engine, conversion);
 * console.log(done.results.map((r) => `${r.name} = ${r.ret32}`));
 * ```
 */
export async function runConverted(engine: Compat32Engine, conversion: Conversion): Promise<Completion32> {
  // Taken before the first await: closing the arena or the conversion from here on (a `using`
  // scope that ends while the chain sleeps on a cachemiss thread) defers their release until
  // the write-back below is done.
  const endRun = conversion.beginRun();
  try {
    return complete(conversion, await engine.runChain(conversion.entry64));
  } finally {
    endRun();
  }
}

/**
 * runConvertedSync - like {@link runConverted}, blocking the calling thread until the chain ends
 * (the CLI's `run` uses it).
 */
export function runConvertedSync(engine: Compat32Engine, conversion: Conversion): Completion32 {
  const endRun = conversion.beginRun();
  try {
    return complete(conversion, engine.runChainSync(conversion.entry64));
  } finally {
    endRun();
  }
}
