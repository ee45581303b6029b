/**
 * Closing an engine while its ring file reads are in flight (engine/uring-file-reads.ts) settles
 * every read — with the file's bytes, or with a clear error for a read the closed engine could
 * not go on with — and leaves no fd open on the files; FIFOs whose reads wait in the ring are
 * cancelled, not waited for. Repeated with the close at several moments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, writeFileSync, writeSync, constants } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Engine, readFileInto, readFileSyslet } from '../index.js';
import { tempDir } from './plugin-fixture.js';
import { fdsUnder } from './helpers/ring-reads.js';
import { readFirstOnTheRing } from '../plugins/reader.js';


test('engine.close() with ring file reads in flight: each settles, no fd is left', { timeout: 60_000 }, async (t) => {
  const { dir, cleanup } = tempDir('ring-close');
  t.after(cleanup);
  const probe = new Engine();
  const ringReads = probe.fileReads !== null;
  await probe.close();
  if (!ringReads) {
    t.skip('no ring file reads on this engine');
    return;
  }
  const paths = Array.from({ length: 32 }, (_, i) => {
    const path = join(dir, `f${i}`);
    writeFileSync(path, Buffer.alloc(100 + i, i));
    return path;
  });
  const fifo = join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  for (const delay of [0, 1, 5]) {
    const engine = new Engine();
    // The batch for every file, cached or not (otherwise only opens the dcache cannot answer take it).
    readFirstOnTheRing(engine);
    // A FIFO with a writer that writes once and then nothing: its batch's second read waits in the ring.
    const keeper = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    const writer = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(writer, 'x');
    const waiting = readFileSyslet(engine, fifo);
    const reads = paths.map((path) => readFileInto(engine, path, Buffer.alloc(256)));
    // Watched from now on: a read the close ends rejects while close is awaited.
    const settling = Promise.allSettled([waiting, ...reads]);
    if (delay > 0) await sleep(delay);
    await engine.close();
    const settled = await settling;
    settled.slice(1).forEach((result, i) => {
      if (result.status === 'fulfilled') assert.equal(result.value, 100 + i, `file ${i}`);
      else assert.ok(result.reason instanceof Error && /shut ?down|closed|ESHUTDOWN|ECANCELED|EINTR/i.test(`${(result.reason as { code?: string }).code ?? ''} ${result.reason.message}`), `file ${i}: ${String(result.reason)}`);
    });
    assert.equal(settled[0]?.status, 'rejected', 'the FIFO read could not end: it is cancelled with the engine');
    closeSync(writer);
    closeSync(keeper);
    assert.deepEqual(fdsUnder(dir), [], `close after ${delay} ms: no fd left open`);
  }
});
