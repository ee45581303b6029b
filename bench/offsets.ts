/**
 * The offsets every contender reads: a seeded permutation of the big file's blocks. Pure functions
 * with no imports, so that a contender's host process (bench/host.ts) can rebuild the very same
 * offsets without loading anything but the contender it runs.
 */

/**
 * permutation - every block index 0..blocks-1 once, in a seeded random order (xorshift32 +
 * Fisher-Yates), so every run and every contender reads the same "random" offsets.
 *
 * @param blocks - how many blocks the file has.
 * @param seed - the generator's seed (any non-zero 32-bit value).
 * @returns the permutation.
 * @example permutation(4).length === 4
 */
export function permutation(blocks: number, seed = 0x9e3779b9): Uint32Array {
  const out = new Uint32Array(blocks);
  for (let i = 0; i < blocks; i++) out[i] = i;
  let x = seed >>> 0 || 1;
  for (let i = blocks - 1; i > 0; i--) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    const j = x % (i + 1);
    const t = out[i] as number;
    out[i] = out[j] as number;
    out[j] = t;
  }
  return out;
}

/**
 * offsetsFor - `ops` block indexes: the permutation repeated (each pass touches every block once).
 *
 * @example offsetsFor(permutation(4), 6).length === 6
 */
export function offsetsFor(perm: Uint32Array, ops: number): Uint32Array {
  const out = new Uint32Array(ops);
  for (let i = 0; i < ops; i += perm.length) out.set(perm.subarray(0, Math.min(perm.length, ops - i)), i);
  return out;
}
