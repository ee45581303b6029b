/**
 * The data set every contender reads and writes: created once per run in a fresh temp directory,
 * random bytes (so no file system can compress or dedupe it), removed at exit.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { syscall } from '../engine/native/index.js';
import { NR } from '../engine/syscalls/nr.js';

/** Sizes of the data set. */
export const DATASET = {
  /** The random-read file (P1, P2, P3, P6). */
  bigFileBytes: 64 << 20,
  /** The random-write file (P5); separate, so writes never disturb the read file's cache state. */
  writeFileBytes: 64 << 20,
  smallFiles: 2000,
  smallFileBytes: 4096,
  blockSize: 4096,
} as const;

/** Paths of a created data set. */
export interface Dataset {
  readonly dir: string;
  readonly bigFile: string;
  readonly writeFile: string;
  readonly smallFiles: readonly string[];
  /** Number of blockSize blocks in the big file. */
  readonly blocks: number;
}

/**
 * createDataset - write the data set into a new directory under `parent` (default: the OS temp dir).
 *
 * @returns its paths. Throws on any I/O error (no space, no permission).
 * @example
 * ```ts
 * const ds = createDataset();
 * try { ... } finally { removeDataset(ds); }
 * ```
 */
export function createDataset(parent = os.tmpdir()): Dataset {
  const dir = fs.mkdtempSync(path.join(parent, 'syslet-bench-'));
  const bigFile = path.join(dir, 'data.bin');
  const writeFile = path.join(dir, 'write.bin');
  writeRandom(bigFile, DATASET.bigFileBytes);
  writeRandom(writeFile, DATASET.writeFileBytes);
  const smallDir = path.join(dir, 'small');
  fs.mkdirSync(smallDir);
  const smallFiles: string[] = [];
  for (let i = 0; i < DATASET.smallFiles; i++) {
    const file = path.join(smallDir, `f${String(i).padStart(5, '0')}`);
    fs.writeFileSync(file, crypto.randomBytes(DATASET.smallFileBytes));
    smallFiles.push(file);
  }
  return { dir, bigFile, writeFile, smallFiles, blocks: DATASET.bigFileBytes / DATASET.blockSize };
}

/** removeDataset - delete the data set's directory. */
export function removeDataset(ds: Dataset): void {
  fs.rmSync(ds.dir, { recursive: true, force: true });
}

function writeRandom(file: string, bytes: number): void {
  const chunk = Buffer.alloc(1 << 20);
  const fd = fs.openSync(file, 'w');
  try {
    for (let done = 0; done < bytes; done += chunk.length) {
      crypto.randomFillSync(chunk);
      fs.writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - done));
    }
  } finally {
    fs.closeSync(fd);
  }
}

export { permutation, offsetsFor } from './offsets.js';

const DROP_CACHES = '/proc/sys/vm/drop_caches';
const SYS_sync = NR.sync;

/**
 * canDropCaches - whether uncached runs are possible: root and a writable drop_caches. Tries one
 * drop, because a read-only /proc/sys (containers) passes an access() check as root.
 *
 * @returns undefined when it can, else the reason to print (`'not root'`, or the write error).
 */
export function canDropCaches(): string | undefined {
  if (process.getuid?.() !== 0) return 'not root';
  try {
    dropCaches();
    return undefined;
  } catch (e) {
    return `${DROP_CACHES} not writable (${(e as Error).message})`;
  }
}

/** dropCaches - flush dirty pages, then drop the clean page cache (root only; throws otherwise). */
export function dropCaches(): void {
  syscall(SYS_sync);
  fs.writeFileSync(DROP_CACHES, '1');
}

/** warmFile - read a file end to end so its pages are cached. */
export function warmFile(file: string): void {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = fs.openSync(file, 'r');
  try {
    while (fs.readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    fs.closeSync(fd);
  }
}
