/**
 * A FIFO for a test: made in a fresh directory and opened read-write, so that opening it waits
 * for no writer and a read of it blocks until the test writes. Both go when the test ends.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { Engine } from '../../engine/engine.js';
import { ChainBuilder } from '../../engine/builder.js';
import type { Word } from '../../engine/native/index.js';

/**
 * openFifo - mkfifo in a new directory under the system temp dir, opened O_RDWR.
 *
 * @returns the FIFO's path and the open fd (closed, and the directory removed, after the test).
 */
export function openFifo(t: TestContext): { fifo: string; fd: number } {
  const dir = mkdtempSync(join(tmpdir(), 'syslet-fifo-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  const fd = openSync(fifo, 'r+');
  t.after(() => closeSync(fd));
  return { fifo, fd };
}

/**
 * readWithLateWriter - one chain that reads up to `text`'s length from the FIFO `fd` on `engine`,
 * with `text` written `afterMs` later: the read blocks until then (on a cachemiss thread, on the
 * threads engine).
 *
 * @returns the read's result (the count, or -errno).
 */
export async function readWithLateWriter(t: TestContext, engine: Engine, fd: number, text: string, afterMs: number): Promise<Word> {
  using chain = new ChainBuilder(engine.memory);
  const buffer = chain.buffer(text.length);
  const read = chain.atom('read', [fd, buffer, text.length]);
  const timer = setTimeout(() => writeSync(fd, text), afterMs);
  t.after(() => clearTimeout(timer));
  await engine.runChain(chain.first);
  return read.result.value;
}
