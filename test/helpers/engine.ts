/**
 * Shared setup for the engine tests: socket pairs made by the engine itself, fresh files (in the
 * page cache, or pushed out of it), and a wait for "a cachemiss thread is now blocked in this
 * call" — the one state that produces no completion to wait on.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, fsyncSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import type { Engine } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';

/** x86-64 numbers the tests use for raw atoms and for matching /proc/self/task/N/syscall. */
export const SYS = { read: 0, write: 1, close: 3, getpid: 39, fork: 57, execve: 59, mount: 165 } as const;

const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_CLOEXEC = 0o2000000;

/** socketPair - a connected AF_UNIX stream pair, made by a one-atom chain on `engine`. */
export function socketPair(engine: Engine): [number, number] {
  using chain = new ChainBuilder(engine.memory, { maxAtoms: 1, dataBytes: 256 });
  const sv = chain.buffer(8);
  const atom = chain.atom('socketpair', [AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv]);
  engine.runChainSync(chain.first);
  assert.equal(atom.result.value, 0, 'socketpair');
  const view = new DataView(sv.bytes.buffer, sv.bytes.byteOffset, 8);
  return [view.getInt32(0, true), view.getInt32(4, true)];
}

/** closeAll - close file descriptors, ignoring ones already closed. */
export function closeAll(...fds: number[]): void {
  for (const fd of fds) {
    try {
      closeSync(fd);
    } catch {
      // Already closed by the test.
    }
  }
}

/** tempDir - a directory removed after the test. */
export function tempDir(t: TestContext): string {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-engine-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** patternBytes - `size` bytes whose value depends on their position (so misplaced data shows). */
export function patternBytes(size: number, seed = 1): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + seed * 7 + (i >> 8)) & 0xff;
  return bytes;
}

/** freshFile - write `content` to a new file in `dir`, fsync'd; it is in the page cache. */
export function freshFile(dir: string, name: string, content: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return path;
}

/**
 * dropPageCache - push clean page-cache pages out (root only), so a read of a freshly written
 * and fsync'd file must go to the disk. @returns null when done, else why it cannot be done here.
 */
export function dropPageCache(): string | null {
  if (process.getuid?.() !== 0) return 'not root: cannot write /proc/sys/vm/drop_caches';
  try {
    writeFileSync('/proc/sys/vm/drop_caches', '1');
    return null;
  } catch (error) {
    return `cannot write /proc/sys/vm/drop_caches: ${(error as Error).message}`;
  }
}

/** Thread ids of this process blocked in syscall `nr` with `fd` as first argument, from /proc. */
function threadsBlockedIn(nr: number, fd: number): string[] {
  const prefix = `${nr} 0x${fd.toString(16)} `;
  return readdirSync('/proc/self/task').filter((tid) => {
    try {
      return readFileSync(`/proc/self/task/${tid}/syscall`, 'utf8').startsWith(prefix);
    } catch {
      return false;
    }
  });
}

/**
 * untilBlockedIn - resolve once some thread of this process sits in syscall `nr` on `fd`
 * (read it from /proc/self/task/N/syscall), or — with an engine whose would-block calls go to
 * io_uring — once its ring holds a request (submitted: a read on an empty socket is then armed
 * in the kernel, which is where a thread would be blocked). A blocked call produces no
 * completion, so this is the one wait that polls: it watches the kernel's own record of the
 * state, and fails after `timeoutMs` rather than hanging.
 */
export async function untilBlockedIn(nr: number, fd: number, timeoutMs = 10_000, engine?: Engine): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  const inRing = (): boolean => {
    if (engine === undefined || engine.ringInFlight === 0) return false;
    engine.pump(); // submits what the ring holds, if the end of the JS turn has not yet
    return engine.ringInFlight > 0;
  };
  while (threadsBlockedIn(nr, fd).length === 0 && !inRing()) {
    if (performance.now() > deadline) throw new Error(`no thread blocked in syscall ${nr} on fd ${fd} after ${timeoutMs} ms`);
    await delay(2);
  }
}

/** untilIdle - process completions until nothing is in flight; fails after `timeoutMs`. */
export function untilIdle(engine: Engine, timeoutMs = 10_000): void {
  assert.equal(engine.waitUntil(() => engine.inflight === 0, timeoutMs), 0, `chains still in flight after ${timeoutMs} ms`);
}

/** skipOrFail - skip with `reason` locally, but fail when process.env.CI is set. */
export function skipOrFail(t: TestContext, reason: string): void {
  if (process.env.CI !== undefined && process.env.CI !== '') assert.fail(`required in CI: ${reason}`);
  t.skip(reason);
}
