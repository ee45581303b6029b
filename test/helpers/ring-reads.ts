/**
 * What the ring-file-read tests share: an engine with its temporary directory (skipping, with the
 * reason, where the engine makes no ring file reads), and the fds the process holds on files of a
 * directory.
 */
import type { TestContext } from 'node:test';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, constants, openSync, readdirSync, readFileSync, readlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine } from '../../index.js';
import { readFirstOnTheRing } from '../../plugins/reader.js';
import { tempDir } from '../plugin-fixture.js';

/**
 * ringReadEngine - a new Engine and a temporary directory, both closed and removed when the test
 * ends; null (the test skipped with the reason) when the engine makes no ring file reads. Its
 * whole-file reads start with the ring batch even for cached files (readFirstOnTheRing: without
 * it only opens the dcache cannot answer take the batch).
 */
export function ringReadEngine(t: TestContext, prefix: string): { engine: Engine; dir: string } | null {
  const engine = new Engine();
  readFirstOnTheRing(engine);
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

/**
 * readFifoBeingWritten - make the FIFO `dir/name` and read it with `read` while a writer writes
 * `pieces`: the first before the read starts (a reader of our own lets the writer open without
 * waiting, so it is in the pipe when the read begins), each other one 30 ms later, then the
 * writer closes. @returns what the read gave, as text.
 */
export async function readFifoBeingWritten(dir: string, name: string, read: (path: string) => Promise<Buffer>, pieces: readonly string[]): Promise<string> {
  const fifo = join(dir, name);
  execFileSync('mkfifo', [fifo]);
  const keeper = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
  const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
  writeSync(writer, pieces[0] ?? '');
  const reading = read(fifo);
  for (const piece of pieces.slice(1)) {
    await sleep(30);
    writeSync(writer, piece);
  }
  closeSync(writer);
  const text = (await reading).toString();
  closeSync(keeper);
  return text;
}

/**
 * writeCachedFiles - `count` files of random bytes in `dir` (f0, f1...; 1, 98, 195... bytes: file
 * i holds 1 + 97·i), each read once so its pages and its dentry are cached.
 *
 * @returns their paths and contents, by index.
 */
export function writeCachedFiles(dir: string, count: number): { paths: string[]; contents: Buffer[] } {
  const contents = Array.from({ length: count }, (_, i) => randomBytes(1 + i * 97));
  const paths = contents.map((content, i) => {
    const path = join(dir, `f${i}`);
    writeFileSync(path, content);
    readFileSync(path);
    return path;
  });
  return { paths, contents };
}
