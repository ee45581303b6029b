/**
 * The word comparison of a canned chain's run (split from engine/executor-canned.ts, which says
 * why every run compares an atom's words with the planned ones before it runs it).
 */

/**
 * wordsDiffer - whether any of an atom's `compared` planned words differs from the live ones:
 * compared as doubles (NaN never equals: such a word always differs), and a planned 0 also by its
 * sign (a word of 2^63 reads as -0, which === 0). A detached buffer reads undefined: a mismatch,
 * and the generic walk throws as it always did. Written out word by word (ATOM_PLANNED_WORDS of
 * them at most) at constant indices of the atom's own views (the plan's LIVE_WORDS and
 * PLANNED_WORDS), not as a loop or at computed offsets of the region's view: each access then
 * costs a bounds check and a load, without the index arithmetic and its overflow checks (a loop
 * reloaded both arrays' maps and bounds every iteration: ~30 instructions a word, a tenth of an
 * aio_read's; computed offsets ~33 a word with the call; constant ones ~20; callgrind, P1).
 * @param live - the atom's words in the region (ATOM_PLANNED_WORDS float64s from its address).
 * @param planned - its planned words (as many).
 * @param compared - how many words its decode read (at most ATOM.private / 8).
 * @returns true when a word differs (the generic walk then runs the atom).
 * @example if (wordsDiffer(live, planned, compared)) walk(atom);
 */
export function wordsDiffer(live: Float64Array, planned: Float64Array, compared: number): boolean {
  let value: number;
  let word: number;
  if (compared <= 0) return false;
  value = live[0] as number;
  word = planned[0] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 1) return false;
  value = live[1] as number;
  word = planned[1] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 2) return false;
  value = live[2] as number;
  word = planned[2] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 3) return false;
  value = live[3] as number;
  word = planned[3] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 4) return false;
  value = live[4] as number;
  word = planned[4] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 5) return false;
  value = live[5] as number;
  word = planned[5] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 6) return false;
  value = live[6] as number;
  word = planned[6] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 7) return false;
  value = live[7] as number;
  word = planned[7] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 8) return false;
  value = live[8] as number;
  word = planned[8] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  if (compared <= 9) return false;
  value = live[9] as number;
  word = planned[9] as number;
  if (value !== word || (word === 0 && !Object.is(value, word))) return true;
  return false;
}
