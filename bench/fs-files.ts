/**
 * The files `npm run bench:fs` works on: 10,000 small files with a link each, one big file, and
 * the directory the write jobs write in.
 */
import crypto from 'node:crypto';
import { accessSync, constants, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Files, Sizes } from './fs-jobs-types.js';

/**
 * The directory the writeFile job creates its files under when no --dir or --write-dir is given:
 * /var/tmp, on disk on every distribution (the FHS's temporary files kept across reboots), where
 * /tmp is tmpfs on many (then the row would time a RAM file system) and, where it is on disk, the
 * one directory every process of the machine makes and deletes its scratch files in. On an ext4
 * without a journal (this project's CI machine: `/`), each create scans past every inode of its
 * group freed in the last 30 s (recently_deleted()), inside the directory's lock: with other
 * processes' test suites deleting in /tmp's group, a create there took 300–500 µs for both
 * implementations against 15–45 µs in /var/tmp, back to back (docs/fs.md, session 26), and the
 * row timed those deletions, not writeFile. The OS temp dir when /var/tmp is not writable.
 */
export function writeParent(): string {
  try {
    accessSync('/var/tmp', constants.W_OK | constants.X_OK);
    return '/var/tmp';
  } catch {
    return os.tmpdir();
  }
}

/**
 * createFiles - the small files (1–8 KiB of random bytes) and the big file, under a new directory
 * of `parent`; the directory the write jobs write in, under a new directory of `writeParentDir`.
 */
export function createFiles(parent: string, writeParentDir: string, sizes: Sizes): Files & { readonly dir: string; readonly writeRoot: string } {
  const dir = mkdtempSync(path.join(parent, 'syslet-fs-bench-'));
  const small: string[] = [];
  const links: string[] = [];
  // 100 files per folder, as a server's tree has them, rather than 10,000 in one directory.
  for (let i = 0; i < sizes.smallFiles; i++) {
    const folder = path.join(dir, 'small', String(Math.floor(i / 100)));
    if (i % 100 === 0) mkdirSync(folder, { recursive: true });
    const file = path.join(folder, `${i}.bin`);
    writeFileSync(file, crypto.randomBytes(1024 + (i * 7919) % (7 * 1024)));
    small.push(file);
    symlinkSync(`${i}.bin`, `${file}.lnk`);
    links.push(`${file}.lnk`);
  }
  const big = path.join(dir, 'big.bin');
  const chunk = crypto.randomBytes(1 << 20);
  for (let written = 0; written < sizes.bigFileBytes; written += chunk.length) writeFileSync(big, chunk, { flag: written === 0 ? 'w' : 'a' });
  const writeRoot = writeParentDir === parent ? dir : mkdtempSync(path.join(writeParentDir, 'syslet-fs-bench-'));
  const writeDir = path.join(writeRoot, 'written');
  mkdirSync(writeDir);
  const smallList = path.join(dir, 'small.json');
  writeFileSync(smallList, JSON.stringify(small));
  return { dir, writeRoot, small, smallList, links, big, writeDir };
}
