/**
 * The word comparison of a canned chain's run (split from engine/executor-canned.ts, which says
 * why every run compares an atom's words with the planned ones before it runs it).
 */

/**
 * wordsDiffer - whether any of an atom's `compared` planned words (at `w` in the plan) differs from the live
 * ones (at float64 index `l` of the region): compared as doubles (a word of 2^63 reads as -0,
 * which equals 0: a planned 0 is checked by its high half too). A detached buffer reads
 * undefined: a mismatch, and the generic walk throws as it always did. Written out word by word
 * (ATOM_PLANNED_WORDS of them at most), not as a loop: a loop's every iteration checked both
 * arrays' maps and reloaded their bounds again (TurboFan hoists nothing out of loops), ~30
 * instructions a word, a tenth of an aio_read's (callgrind, P1).
 * @param live - the region's bytes as float64s; `int32` the same bytes as int32s.
 * @param l - the atom's first word in `live`.
 * @param numbers - the plan's numbers; `w` where the atom's planned words start in them.
 * @param compared - how many words its decode read (at most ATOM.private / 8).
 * @returns true when a word differs (the generic walk then runs the atom).
 * @example if (wordsDiffer(live, int32, liveAt, numbers, at, compared)) walk(atom);
 */
export function wordsDiffer(live: Float64Array, int32: Int32Array, l: number, numbers: Float64Array, w: number, compared: number): boolean {
  let word: number;
  if (compared <= 0) return false;
  word = numbers[w] as number;
  if (live[l] !== word || (word === 0 && int32[2 * (l) + 1] !== 0)) return true;
  if (compared <= 1) return false;
  word = numbers[w + 1] as number;
  if (live[l + 1] !== word || (word === 0 && int32[2 * (l + 1) + 1] !== 0)) return true;
  if (compared <= 2) return false;
  word = numbers[w + 2] as number;
  if (live[l + 2] !== word || (word === 0 && int32[2 * (l + 2) + 1] !== 0)) return true;
  if (compared <= 3) return false;
  word = numbers[w + 3] as number;
  if (live[l + 3] !== word || (word === 0 && int32[2 * (l + 3) + 1] !== 0)) return true;
  if (compared <= 4) return false;
  word = numbers[w + 4] as number;
  if (live[l + 4] !== word || (word === 0 && int32[2 * (l + 4) + 1] !== 0)) return true;
  if (compared <= 5) return false;
  word = numbers[w + 5] as number;
  if (live[l + 5] !== word || (word === 0 && int32[2 * (l + 5) + 1] !== 0)) return true;
  if (compared <= 6) return false;
  word = numbers[w + 6] as number;
  if (live[l + 6] !== word || (word === 0 && int32[2 * (l + 6) + 1] !== 0)) return true;
  if (compared <= 7) return false;
  word = numbers[w + 7] as number;
  if (live[l + 7] !== word || (word === 0 && int32[2 * (l + 7) + 1] !== 0)) return true;
  if (compared <= 8) return false;
  word = numbers[w + 8] as number;
  if (live[l + 8] !== word || (word === 0 && int32[2 * (l + 8) + 1] !== 0)) return true;
  if (compared <= 9) return false;
  word = numbers[w + 9] as number;
  if (live[l + 9] !== word || (word === 0 && int32[2 * (l + 9) + 1] !== 0)) return true;
  return false;
}
