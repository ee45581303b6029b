/**
 * What the ring-file-read tests share: an engine with its temporary directory (skipping, with the
 * reason, where the engine makes no ring file reads), and the fds the process holds on files of a
 * directory.
 */
import type { TestContext } from 'node:test';
import { readdirSync, readlinkSync } from 'node:fs';
import { Engine } from '../../index.js';
import { tempDir } from '../plugin-fixture.js';

/**
 * ringReadEngine - a new Engine and a temporary directory, both closed and removed when the test
 * ends; null (the test skipped with the reason) when the engine makes no ring file reads.
 */
export function ringReadEngine(t: TestContext, prefix: string): { engine: Engine; dir: string } | null {
  const engine = new Engine();
  const { dir, cleanup } = tempDir(prefix);
  t.after(async () => {
    await engine.close();
    cleanup();
  });
  if (engine.fileReads !== null) return { engine, dir };
  t.skip(`no ring file reads on this engine (${engine.asyncEngine.kind}): the kernel lacks an opcode or refused the file table`);
  return null;
}

/** fdsUnder - this process's fds open on files under `dir` (the engines' eventfds and threads' pipes are not). */
export function fdsUnder(dir: string): string[] {
  return readdirSync('/proc/self/fd').flatMap((fd) => {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      return target.startsWith(dir) ? [target] : [];
    } catch {
      return [];
    }
  });
}
