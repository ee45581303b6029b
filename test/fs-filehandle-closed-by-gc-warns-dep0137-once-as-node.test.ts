/**
 * A FileHandle garbage-collected unclosed has its fd closed with two warnings, as Node's: one
 * "Closing file descriptor N on garbage collection" per handle, and the DEP0137 deprecation once
 * per thread (Node keeps a per-environment flag, `filehandle_close_warning`). syslet-aio/fs
 * emitted DEP0137 with every handle: 3,000 leaked handles printed 6,000 warnings to Node's 3,000
 * (found by hunt19 opening handles without closing them under `prlimit --nofile=1024`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { IMPLEMENTATIONS, scratch, type FsPromises } from './helpers/fs-implementations.js';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const HANDLES = 5;

// Opens HANDLES handles and drops them; the handles live only in this function's frame.
async function openAndDrop(fs: FsPromises, file: string): Promise<number[]> {
  const fds: number[] = [];
  for (let i = 0; i < HANDLES; i++) fds.push((await fs.open(file)).fd);
  return fds;
}

test('handles collected unclosed warn per fd, and DEP0137 once, as Node', { timeout: 60_000 }, async (t) => {
  const dir = scratch(t, 'gc-warn');
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  const warnings: Error[] = [];
  const onWarning = (warning: Error): void => void warnings.push(warning);
  process.on('warning', onWarning);
  t.after(() => process.off('warning', onWarning));
  const counts: Record<string, { perFd: number; deprecations: number }> = {};
  for (const { name, fs } of IMPLEMENTATIONS) {
    // Two rounds: the deprecation is once per thread, not once per round.
    for (let round = 0; round < 2; round++) {
      warnings.length = 0;
      const fds = await openAndDrop(fs, file);
      const until = Date.now() + 20_000;
      while (warnings.filter((w) => /^Closing file descriptor \d+ on garbage collection$/.test(w.message)).length < HANDLES && Date.now() < until) {
        gc();
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      const perFd = warnings.filter((w) => /^Closing file descriptor \d+ on garbage collection$/.test(w.message));
      const seen = perFd.map((w) => Number(/(\d+)/.exec(w.message)?.[1])).sort((a, b) => a - b);
      assert.deepEqual(seen, [...fds].sort((a, b) => a - b), `${name}: one warning naming each collected fd`);
      const entry = (counts[`${name} round ${round}`] = { perFd: perFd.length, deprecations: 0 });
      entry.deprecations = warnings.filter((w) => (w as Error & { code?: string }).code === 'DEP0137').length;
    }
  }
  assert.deepEqual(counts, {
    'node:fs/promises round 0': { perFd: HANDLES, deprecations: 1 },
    'node:fs/promises round 1': { perFd: HANDLES, deprecations: 0 },
    'syslet-aio/fs round 0': { perFd: HANDLES, deprecations: 1 },
    'syslet-aio/fs round 1': { perFd: HANDLES, deprecations: 0 },
  });
});
