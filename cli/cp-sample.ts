/**
 * The built-in job of `syslet-aio` with no arguments (`npm start`) and of `cp --sample`: a file
 * of pseudo-random data in a fresh temporary folder, to copy and then throw away. Random data,
 * fresh for every block, so that a block written at the wrong offset cannot pass --verify by
 * looking like its neighbour.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The sample's size when neither the command line nor SYSLET_AIO_SAMPLE_SIZE gives one. */
export const DEFAULT_SAMPLE_SIZE = 64 * 1024 * 1024;

const CHUNK = 1024 * 1024;

/** A sample made by {@link createSample}. */
export interface Sample {
  /** The temporary folder holding both files; {@link removeSample} deletes it. */
  readonly dir: string;
  /** The file to copy. */
  readonly src: string;
  /** Where to copy it (does not exist yet). */
  readonly dst: string;
}

/**
 * createSample - write `size` bytes of pseudo-random data to `sample.bin` in a new folder under
 * the OS temp dir (mkdtemp, so concurrent runs never collide).
 *
 * @param size - bytes (0 is allowed).
 * @returns the folder and the two paths.
 * @throws the fs error (ENOSPC, EACCES...) after removing the folder again.
 */
export function createSample(size: number): Sample {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-aio-sample-'));
  const sample = { dir, src: join(dir, 'sample.bin'), dst: join(dir, 'copy.bin') };
  try {
    const fd = openSync(sample.src, 'w', 0o644);
    try {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size)));
      for (let written = 0; written < size; ) {
        const length = Math.min(chunk.length, size - written);
        randomFillSync(chunk, 0, length);
        written += writeSync(fd, chunk, 0, length, written);
      }
    } finally {
      closeSync(fd);
    }
  } catch (error) {
    removeSample(sample);
    throw error;
  }
  return sample;
}

/** removeSample - delete the sample's folder and everything in it (never throws: cleanup must not mask the real outcome). */
export function removeSample(sample: Sample): void {
  try {
    rmSync(sample.dir, { recursive: true, force: true });
  } catch {
    // Nothing sensible to do: the folder is under the temp dir, which the OS cleans.
  }
}
