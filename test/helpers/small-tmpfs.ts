/**
 * A tmpfs of a few KiB mounted for one test (root only): a file system that fills up part-way
 * through a write, for the ENOSPC tests.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';

/**
 * smallTmpfs - mount a tmpfs of `size` (mount's syntax: '16k') on a new directory, unmounted and
 * removed after the test; or skip the test (with the reason) where it cannot be mounted.
 *
 * @returns the mounted directory, or null when the test was skipped.
 */
export function smallTmpfs(t: TestContext, size: string, prefix: string): string | null {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  let refused: string | null = process.getuid?.() === 0 ? null : 'not root: cannot mount a tmpfs';
  if (refused === null) {
    try {
      execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'ignore' });
    } catch (error) {
      refused = `cannot mount a tmpfs here (${(error as Error).message.split('\n')[0] ?? ''}): needs root`;
    }
  }
  if (refused !== null) {
    rmSync(dir, { recursive: true, force: true });
    t.skip(refused);
    return null;
  }
  t.after(() => {
    execFileSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}
