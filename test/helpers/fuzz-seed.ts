/**
 * The seed a fuzz test in `npm test` runs with.
 *
 * `npm test` is the gate a commit must pass, so its fuzz tests run a fixed seed each: a fresh
 * random seed per run turned the gate into a lottery (session 9's last CI failed on seed
 * 88216176 of the fs fuzz, a real difference that 30 earlier runs had not drawn). Searching is
 * the job of `npm run fuzz` (test/fuzz/campaign.ts), which draws a new seed every run, and of
 * SYSLET_FUZZ_SEED: a number replays that seed, `random` draws one for this run.
 *
 * @param fixed - the seed this test runs when SYSLET_FUZZ_SEED is not set.
 * @returns the seed to run.
 * @throws Error - SYSLET_FUZZ_SEED is neither `random` nor a non-negative integer.
 */
export function fuzzSeed(fixed: number): number {
  const chosen = process.env.SYSLET_FUZZ_SEED;
  if (chosen === undefined || chosen === '') return fixed;
  if (chosen === 'random') return Math.floor(Math.random() * 2 ** 31);
  const seed = Number(chosen);
  if (!Number.isSafeInteger(seed) || seed < 0) throw new Error(`SYSLET_FUZZ_SEED must be a non-negative integer or "random", not ${JSON.stringify(chosen)}`);
  return seed;
}
