/**
 * A whole-file read whose file was opened before the process ran out of fds reads the file, as a
 * node:fs/promises FileHandle opened before then does (its reads need no new fd). hunt22
 * (session 22): on the io_uring engine the ring batch opens the file into a direct slot of the
 * ring's table, but a file it cannot finish (longer than its 64 KiB, uncached, a FIFO) goes on
 * from a process fd installed from the slot (FIXED_FD_INSTALL): at the fd limit the install fails
 * EMFILE, the chain path opens the file again (EMFILE), and the read fails although its file was
 * open. In a burst of 200 readFiles of dropped pages with the fd table filled by the 61st call,
 * all 200 failed on io_uring; node:fs/promises read the 60 whose opens came first, as the threads
 * engine did. Now the read goes on from the slot (fixed-file READs, plugins/reader-ring.ts
 * readOnFromSlot) and closes it at the end.
 *
 * Here: a 200 KiB cached file (past one batch), the read started, the batch submitted (a microtask
 * later), then every free fd taken before the batch's completions are handled.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { Engine, readFileInto, readFileSyslet } from '../index.js';
import { scratch } from './helpers/fs-implementations.js';
import { readFirstOnTheRing } from '../plugins/reader.js';

const SIZE = 200 * 1024;

/** Takes every free fd; returns them to give back. */
function fillFds(): number[] {
  const fds: number[] = [];
  try {
    for (;;) fds.push(openSync('/dev/null', 'r'));
  } catch {
    return fds;
  }
}

async function outcome(read: () => Promise<Buffer>, size = SIZE): Promise<string> {
  try {
    const bytes = await read();
    return bytes.length === size && bytes.every((byte) => byte === 9) ? 'read' : `${bytes.length} wrong bytes`;
  } catch (error) {
    return `${(error as NodeJS.ErrnoException).code}/${(error as NodeJS.ErrnoException).syscall}`;
  }
}

for (const kind of ['io_uring', 'threads'] as const) {
  test(`a readFileSyslet whose file was open before the fds ran out reads it (${kind} engine)`, {}, async (t) => {
    const dir = scratch(t, 'fds-ran-out');
    const file = join(dir, 'data');
    writeFileSync(file, Buffer.alloc(SIZE, 9));
    const engine = new Engine({ engine: kind });
    // The batch for a cached file too (otherwise only opens the dcache cannot answer take it).
    readFirstOnTheRing(engine);
    t.after(() => engine.close());
    if (engine.asyncEngine.kind !== kind) return t.skip(`no ${kind} engine here`);
    // Warm: the ring's table registered, the file cached, a thread started for the threads engine.
    await readFileSyslet(engine, file);
    // Node's side: a FileHandle opened before the fds run out reads its file.
    const handle = await open(file);
    // Its outcome is taken at once: a rejection is never left unhandled while Node's side runs.
    // readFileInto a target smaller than the file: its first bytes, as far as the target goes.
    const target = Buffer.alloc(SIZE / 2);
    const readings = [
      outcome(() => readFileSyslet(engine, file)),
      outcome(() => readFileInto(engine, file, target).then((count) => target.subarray(0, count)), SIZE / 2),
    ];
    // The batches are submitted at the end of this turn's microtasks; their completions come later.
    await Promise.resolve();
    await Promise.resolve();
    const fds = fillFds();
    let node: string;
    let syslet: string[];
    try {
      node = await outcome(() => handle.readFile());
      syslet = await Promise.all(readings);
    } finally {
      for (const fd of fds) closeSync(fd);
      await handle.close();
    }
    assert.ok(fds.length > 0, 'the fd table was filled');
    assert.deepEqual({ node, syslet }, { node: 'read', syslet: ['read', 'read'] });
  });
}
