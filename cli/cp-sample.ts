/**
 * The built-in job of `syslet-aio` with no arguments (`npm start`) and of `cp --sample`: a file
 * of pseudo-random data in a fresh temporary folder, to copy and then throw away. Random data,
 * fresh for every block, so that a block written at the wrong offset cannot pass --verify by
 * looking like its neighbour.
 *
 * A sample can be gigabytes: before writing it, the free space is checked (the sample and its
 * copy need twice its size); while writing, the caller sees progress and can stop it (Ctrl-C,
 * SIGTERM), and whatever happens the folder is removed by {@link removeSample}.
 */
import { randomFillSync } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, statfsSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { formatBytes } from './cp-units.js';

/** The sample's size when neither the command line nor SYSLET_AIO_SAMPLE_SIZE gives one. */
export const DEFAULT_SAMPLE_SIZE = 64 * 1024 * 1024;

const CHUNK = 1024 * 1024;
// Kept free beyond the two files, so that a sample never fills the disk to the last block.
const HEADROOM = 64 * 1024 * 1024;
// The event loop runs (signals are noticed, progress drawn) after this many bytes.
const YIELD_EVERY = 8 * CHUNK;

/** A sample made by {@link createSample}. */
export interface Sample {
  /** The temporary folder holding both files; {@link removeSample} deletes it. */
  readonly dir: string;
  /** The file to copy. */
  readonly src: string;
  /** Where to copy it (does not exist yet). */
  readonly dst: string;
}

/** What {@link createSample} reports and obeys while it writes. */
export interface SampleOptions {
  /** Called with the bytes written so far, after every chunk (it decides when to redraw). */
  readonly progress?: (bytesDone: number) => void;
  /** When aborted, writing stops, the folder is removed and the abort reason is thrown. */
  readonly signal?: AbortSignal;
  /** Where the folder goes (default: the OS temp dir). */
  readonly parent?: string;
}

/**
 * sampleSpace - whether a sample of `size` bytes and its copy fit in `parent`.
 *
 * @param size - the sample's bytes.
 * @param parent - the folder the sample will be made in.
 * @returns null when they fit, else the sentence that says why not (sizes and free space).
 */
export function sampleSpace(size: number, parent: string = tmpdir()): string | null {
  const stats = statfsSync(parent);
  const free = stats.bavail * stats.bsize;
  const needed = 2 * size + HEADROOM;
  if (free >= needed) return null;
  return `a ${formatBytes(size)} sample needs ${formatBytes(needed)} in ${parent} (the sample, its copy and ${formatBytes(HEADROOM)} to spare), ` +
    `but only ${formatBytes(free)} is free; pick a smaller size or set TMPDIR`;
}

/**
 * createSample - write `size` bytes of pseudo-random data to `sample.bin` in a new folder under
 * the OS temp dir (mkdtemp, so concurrent runs never collide).
 *
 * @param size - bytes (0 is allowed).
 * @param options - progress, an abort signal and the parent folder.
 * @returns the folder and the two paths.
 * @throws the fs error (ENOSPC, EACCES...), or the signal's reason when aborted, after removing
 *   the folder again.
 */
export async function createSample(size: number, options: SampleOptions = {}): Promise<Sample> {
  const dir = mkdtempSync(join(options.parent ?? tmpdir(), 'syslet-aio-sample-'));
  const sample = { dir, src: join(dir, 'sample.bin'), dst: join(dir, 'copy.bin') };
  try {
    const fd = openSync(sample.src, 'w', 0o644);
    // Reported once the folder exists: a long write shows at once that it started.
    options.progress?.(0);
    try {
      const chunk = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(1, size)));
      let sinceYield = 0;
      for (let written = 0; written < size; ) {
        const length = Math.min(chunk.length, size - written);
        randomFillSync(chunk, 0, length);
        written += writeSync(fd, chunk, 0, length, written);
        options.progress?.(written);
        sinceYield += length;
        if (sinceYield >= YIELD_EVERY) {
          sinceYield = 0;
          // Let the event loop run: that is when a SIGINT/SIGTERM handler gets to abort us.
          await yieldToEventLoop();
        }
        options.signal?.throwIfAborted();
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
