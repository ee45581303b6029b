/**
 * Shared by the plugin tests: a temporary directory (with an engine), C strings in engine memory, and the fds open
 * on a directory's files (a chain that forgets its close leaves one behind).
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { Engine } from '../engine/engine.js';
import type { Region } from '../engine/memory.js';

/** A fresh directory under the OS temp dir, and a function that removes it. */
export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `syslet-aio-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A fresh engine and temporary directory, both closed and removed when the test ends. */
export function engineWithTempDir(t: TestContext, prefix: string): { dir: string; engine: Engine } {
  const { dir, cleanup } = tempDir(prefix);
  const engine = new Engine();
  t.after(async () => {
    await engine.close();
    cleanup();
  });
  return { dir, engine };
}

/** A NUL-terminated string in engine memory. @returns its address and region. */
export function cstring(engine: Engine, text: string): { at: number; region: Region } {
  const bytes = Buffer.from(`${text}\0`);
  const region = engine.alloc(bytes.length);
  region.bytes.set(bytes);
  return { at: region.start, region };
}

/**
 * The fds this process has open on files under `dir`. Counting only those keeps the check
 * independent of the fds cachemiss threads open and close as they come and go.
 */
export function fdsUnder(dir: string): string[] {
  const found: string[] = [];
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      if (target.startsWith(dir)) found.push(`${fd} → ${target}`);
    } catch {
      // Closed between the listing and the readlink (the listing's own fd, a thread's): not ours.
    }
  }
  return found;
}
