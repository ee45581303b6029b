/**
 * Counting this process's fds without tsx's: for the tests that check the library leaves no fd
 * open, in the test process itself (a child can run with tsx's cache off: STILL_LOADER_ENV).
 *
 * tsx, the loader every test file runs under, writes a module it has not compiled before (a test
 * file of a fresh clone) to its disk cache with fs.promises.writeFile, and the first write starts
 * a sweep of the cache directory (opendir, a read per 32 entries) on the loader's thread: an fd
 * that opens and closes while the test runs (30-50 ms after the test's code began with 14,588
 * entries there, longer on a loaded machine). Those fds name the cache directory or a file in it.
 */
import { readdirSync, readlinkSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';

/** tsx's cache directory, as tsx names it (`os.tmpdir()`/tsx-<euid>). */
export const TSX_CACHE_DIR = join(tmpdir(), `tsx-${process.geteuid?.() ?? userInfo().username}`);

/**
 * openFdsBesideTheLoader - the fds this process has open, less those on tsx's cache directory
 * and the files in it, and less the listing's own fd.
 *
 * @returns how many there are.
 */
export function openFdsBesideTheLoader(): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    let target: string;
    try {
      target = readlinkSync(`/proc/self/fd/${fd}`);
    } catch {
      continue; // the listing's own fd, closed by now (or an fd closed since)
    }
    if (target !== TSX_CACHE_DIR && !target.startsWith(`${TSX_CACHE_DIR}/`)) count++;
  }
  return count;
}
